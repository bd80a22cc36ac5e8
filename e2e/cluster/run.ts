import { execFile } from 'child_process';

export interface RunResult {
  stdout: string;
  stderr: string;
}

/** Runs a program to completion; a failure names the command and carries its stderr. */
export function run(
  file: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      {
        env: options.env ?? process.env,
        timeout: options.timeoutMs ?? 60_000,
        maxBuffer: 16 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        if (error) {
          const how = error.killed ? `killed by ${error.signal}` : `exit ${String(error.code)}`;
          const detail = stderr.trim() || stdout.trim() || error.message;
          reject(new Error(`${file} ${args.join(' ')}: ${how}: ${detail}`));
        } else {
          resolve({ stdout, stderr });
        }
      },
    );
  });
}
