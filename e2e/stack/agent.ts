import { ChildProcess, execFile, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import { REPO } from './server';

const AGENT_MAIN = path.join(REPO, 'apps/agent/dist/main.js');

export interface AgentOptions {
  server: string;
  enrollmentToken: string;
  /** containerd's CRI socket the pods run on. */
  criAddress: string;
  cluster: string;
  node: string;
  /** A Docker Engine socket the agent reads plain containers' metadata from (must exist at start). */
  dockerSocket?: string;
  /** Extra environment, e.g. DRIFTLOCK_LOG_LEVEL. */
  env?: Record<string, string>;
}

export interface RunningAgent {
  stateDir: string;
  pid: number;
  logs: () => string;
  /** SIGKILL, as a crash would. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

/** Enrolls the built agent with the token (the way a person installs it), then runs it. */
export async function startAgent(options: AgentOptions): Promise<RunningAgent> {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'driftlock-agent-'));
  const env = {
    ...process.env,
    DRIFTLOCK_CRI_ADDRESS: options.criAddress,
    DRIFTLOCK_CLUSTER: options.cluster,
    DRIFTLOCK_NODE_NAME: options.node,
    DRIFTLOCK_LOG_LEVEL: 'info',
    DRIFTLOCK_EVENT_BATCH_MS: '200',
    DRIFTLOCK_HEARTBEAT_SECONDS: '2',
    ...(options.dockerSocket ? { DRIFTLOCK_DOCKER_SOCKET: options.dockerSocket } : {}),
    ...options.env,
  };
  await promisify(execFile)(
    process.execPath,
    [
      AGENT_MAIN,
      'enroll',
      '--server',
      options.server,
      '--token',
      options.enrollmentToken,
      '--state-dir',
      stateDir,
    ],
    { env },
  ).catch((e: Error & { stderr?: string }) => {
    throw new Error(`agent enroll: ${e.message} ${e.stderr ?? ''}`);
  });
  let output = '';
  const child: ChildProcess = spawn(
    process.execPath,
    [AGENT_MAIN, 'run', '--state-dir', stateDir],
    {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise((r) => child.once('exit', r));
  const signal = async (sig: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill(sig);
      // An agent that does not stop within 10 s is killed, so a cleanup never hangs.
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
  };
  return {
    stateDir,
    pid: child.pid ?? -1,
    logs: () => output,
    kill: () => signal('SIGKILL'),
    stop: async () => {
      await signal('SIGTERM');
      fs.rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
