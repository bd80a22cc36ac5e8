import * as fs from 'fs';
import * as path from 'path';
import { DockerClient } from '@driftlock/cri';
import type { Containerd } from './containerd';
import type { BuiltImage } from './images';
import { run } from './run';

const SCRIPT = path.join(__dirname, 'dockerd.sh');
// Debian's CLI by path: /usr/local/bin/docker on CI machines is another, client-only build.
const DOCKER_CLI = '/usr/bin/docker';

export interface DockerRunOptions {
  name: string;
  image: string;
  command?: string[];
  labels?: Record<string, string>;
  env?: Record<string, string>;
}

/** A private dockerd started by dockerd.sh on our containerd, with an API client on its socket. */
export class Dockerd {
  readonly socket: string;
  readonly api: DockerClient;

  private constructor(
    readonly dir: string,
    readonly pid: number,
  ) {
    this.socket = path.join(dir, 'docker.sock');
    this.api = new DockerClient({ socketPath: this.socket });
  }

  /** Starts a fresh dockerd in `dir` (default: next to containerd's folder). */
  static async start(containerd: Containerd, dir = `${containerd.dir}-docker`): Promise<Dockerd> {
    await run('bash', [SCRIPT, 'start', dir, containerd.socket]);
    const pid = Number(fs.readFileSync(path.join(dir, 'dockerd.pid'), 'utf8'));
    return new Dockerd(dir, pid);
  }

  /** Runs the Docker CLI against this daemon; resolves to its trimmed stdout. */
  async docker(args: string[]): Promise<string> {
    return (await run(DOCKER_CLI, ['-H', `unix://${this.socket}`, ...args])).stdout.trim();
  }

  async loadImage(image: BuiltImage): Promise<void> {
    await this.docker(['load', '-i', image.archive]);
  }

  /** `docker run -d --network host`; resolves to the container id. */
  async runContainer(options: DockerRunOptions): Promise<string> {
    const flags = ['run', '-d', '--network', 'host', '--name', options.name];
    for (const [key, value] of Object.entries(options.labels ?? {}))
      flags.push('--label', `${key}=${value}`);
    for (const [key, value] of Object.entries(options.env ?? {}))
      flags.push('--env', `${key}=${value}`);
    return this.docker([...flags, options.image, ...(options.command ?? [])]);
  }

  async stop(): Promise<void> {
    await run('bash', [SCRIPT, 'stop', this.dir]);
  }
}
