import { ChildProcessWithoutNullStreams, spawn } from 'child_process';
import * as path from 'path';

export const REPO = path.resolve(__dirname, '..', '..', '..', '..');
export const SENSOR = path.join(REPO, 'bpf', 'build', 'driftlock-sensor');

/** The agent CLI (`run`) from its TypeScript sources, as a child process with its JSON log parsed. */
export class AgentProcess {
  readonly logs: { msg: string; [key: string]: unknown }[] = [];
  private child: ChildProcessWithoutNullStreams | null = null;
  private stderr = '';

  constructor(
    private readonly stateDir: string,
    private readonly env: Record<string, string> = {},
  ) {}

  start(): void {
    const child = spawn(
      process.execPath,
      [
        '-r',
        path.join(__dirname, 'register-ts.js'),
        path.join(__dirname, '..', '..', 'src', 'main.ts'),
        'run',
        '--state-dir',
        this.stateDir,
      ],
      {
        env: {
          ...process.env,
          DRIFTLOCK_SENSOR_PATH: SENSOR,
          // No runtime on this machine: metadata lookups fail fast and the threat goes out without.
          DRIFTLOCK_CRI_ADDRESS: 'unix:///nonexistent/containerd.sock',
          DRIFTLOCK_DOCKER_SOCKET: '/nonexistent/docker.sock',
          DRIFTLOCK_HEARTBEAT_SECONDS: '1',
          DRIFTLOCK_EVENT_BATCH_MS: '200',
          DRIFTLOCK_METADATA_WAIT_MS: '200',
          DRIFTLOCK_LOG_LEVEL: 'info',
          ...this.env,
        },
      },
    );
    this.child = child;
    let buffered = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) if (line.startsWith('{')) this.logs.push(JSON.parse(line));
    });
    child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
  }

  async until(
    predicate: (log: AgentProcess['logs'][number]) => boolean,
    what: string,
    timeoutMs = 20_000,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.logs.some(predicate)) {
      if (Date.now() > deadline || this.child?.exitCode !== null) {
        throw new Error(
          `agent: no log line for ${what} within ${timeoutMs} ms; exit ${this.child?.exitCode}; stderr: ${this.stderr}\nlogs: ${this.logs.map((l) => l.msg).join('\n')}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  modeSet(containerId: string, mode: string): Promise<void> {
    return this.until(
      (l) =>
        l.msg === 'policy: container mode set' && l.container === containerId && l.mode === mode,
      `mode ${mode} for ${containerId}`,
    );
  }

  async kill(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }
}
