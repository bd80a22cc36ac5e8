import WebSocket from 'ws';

/** The Kubernetes remote-command protocol over WebSocket that `kubectl exec` speaks. */
export const EXEC_SUBPROTOCOL = 'v4.channel.k8s.io';

const STDIN = 0;
const STDOUT = 1;
const STDERR = 2;
const STATUS = 3;
const DEFAULT_TIMEOUT_MS = 60_000;

export interface StreamExecOptions {
  /** Written to the command's stdin once the session opens (v4 cannot signal EOF: end with `exit`). */
  stdin?: string | Buffer;
  timeoutMs?: number;
}

export interface StreamExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** The metav1.Status the server writes on channel 3 when the command ends. */
export interface ExecStatus {
  status?: string;
  message?: string;
  reason?: string;
  details?: { causes?: { reason?: string; message?: string }[] };
}

export class StreamExecError extends Error {
  constructor(
    readonly url: string,
    message: string,
  ) {
    super(`exec stream ${url}: ${message}`);
    this.name = 'StreamExecError';
  }
}

/**
 * Reads the exit code out of the status message; a failure without one (the command could not
 * start, the runtime broke) is an error, as kubectl reports it.
 */
export function exitCodeOf(status: ExecStatus): number | Error {
  if (status.status === 'Success') return 0;
  if (status.reason === 'NonZeroExitCode') {
    const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
    const code = Number(cause?.message);
    if (cause && Number.isInteger(code)) return code;
  }
  return new Error(
    `${status.reason ?? status.status ?? 'unknown status'}: ${status.message ?? ''}`,
  );
}

/** Runs the exec session at `url` (from CRI Exec) and collects its output and exit code. */
export function streamExec(
  url: string,
  options: StreamExecOptions = {},
): Promise<StreamExecResult> {
  const wsUrl = url.replace(/^http/, 'ws');
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(wsUrl, EXEC_SUBPROTOCOL);
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let status: ExecStatus | undefined;
    let failure: Error | undefined;
    const fail = (error: Error): void => {
      failure ??= new StreamExecError(url, error.message);
      socket.terminate();
    };
    const timer = setTimeout(
      () => fail(new Error(`no exit status after ${options.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms`)),
      options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    );

    // ws itself refuses a server that does not agree to the subprotocol.
    socket.on('open', () => {
      if (options.stdin !== undefined) {
        socket.send(Buffer.concat([Buffer.from([STDIN]), Buffer.from(options.stdin)]));
      }
    });
    socket.on('message', (data: Buffer, isBinary) => {
      if (!isBinary || data.length === 0) return;
      const payload = data.subarray(1);
      switch (data[0]) {
        case STDOUT:
          stdout.push(payload);
          break;
        case STDERR:
          stderr.push(payload);
          break;
        case STATUS:
          if (payload.length > 0) status = parseStatus(payload, fail);
          break;
      }
    });
    socket.on('error', fail);
    socket.on('close', () => {
      clearTimeout(timer);
      if (failure) return reject(failure);
      if (!status) return reject(new StreamExecError(url, 'closed without an exit status'));
      const exitCode = exitCodeOf(status);
      if (exitCode instanceof Error) return reject(new StreamExecError(url, exitCode.message));
      resolve({
        stdout: Buffer.concat(stdout).toString(),
        stderr: Buffer.concat(stderr).toString(),
        exitCode,
      });
    });
  });
}

function parseStatus(payload: Buffer, fail: (error: Error) => void): ExecStatus | undefined {
  try {
    return JSON.parse(payload.toString()) as ExecStatus;
  } catch (error) {
    fail(new Error(`status is not JSON (${(error as Error).message}): ${payload.toString()}`));
    return undefined;
  }
}
