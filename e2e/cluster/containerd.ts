import * as fs from 'fs';
import * as path from 'path';
import { CriClient } from '@driftlock/cri';
import { run } from './run';

export const DEFAULT_CONTAINERD_DIR = '/var/lib/driftlock-test/containerd';
export const DEFAULT_SANDBOX_IMAGE = 'driftlock.test/pause:1';
/** containerd's namespace for CRI pods, where pod images must be imported. */
export const CRI_NAMESPACE = 'k8s.io';

const SCRIPT = path.join(__dirname, 'containerd.sh');

export interface ContainerdOptions {
  /** Holds config, root, state, socket, PID and log; wiped on start. */
  dir?: string;
  /** The pause image tag; importing it is the caller's job (see images.ts). */
  sandboxImage?: string;
}

/** A private containerd started by containerd.sh, with a CRI client on its socket. */
export class Containerd {
  readonly socket: string;
  readonly cri: CriClient;

  private constructor(
    readonly dir: string,
    readonly pid: number,
  ) {
    this.socket = path.join(dir, 'containerd.sock');
    this.cri = new CriClient({ address: this.socket });
  }

  /** Starts a fresh containerd in `dir` (stopping one left there) and waits until it answers. */
  static async start(options: ContainerdOptions = {}): Promise<Containerd> {
    const dir = options.dir ?? DEFAULT_CONTAINERD_DIR;
    const sandboxImage = options.sandboxImage ?? DEFAULT_SANDBOX_IMAGE;
    await run('bash', [SCRIPT, 'start', dir], {
      env: { ...process.env, SANDBOX_IMAGE: sandboxImage },
    });
    const pid = Number(fs.readFileSync(path.join(dir, 'containerd.pid'), 'utf8'));
    return new Containerd(dir, pid);
  }

  /** Runs `ctr` against this containerd. */
  async ctr(args: string[], namespace = CRI_NAMESPACE): Promise<string> {
    return (await run('ctr', ['--address', this.socket, '-n', namespace, ...args])).stdout;
  }

  /** Kills every task it runs, stops it by PID and unmounts what it left. */
  async stop(): Promise<void> {
    this.cri.close();
    await run('bash', [SCRIPT, 'stop', this.dir]);
  }
}
