import { ChildProcess, execFileSync, spawn } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * A container as the kernel builds one: an overlay of an image layer and a writable layer, and
 * a process whose root is the merged tree (chroot here, pivot_root in a runtime).
 */
export class OverlayContainer {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'driftlock-overlay-'));
  readonly lower = path.join(this.dir, 'lower');
  readonly upper = path.join(this.dir, 'upper');
  readonly merged = path.join(this.dir, 'merged');
  /** A container id, as a runtime would name its cgroup. */
  readonly id = randomBytes(32).toString('hex');
  private readonly mounts: string[] = [];
  private process: ChildProcess | null = null;
  private cgroup: string | null = null;

  constructor() {
    for (const d of [
      'lower/bin',
      'lower/tmp',
      'lower/usr/local/bin',
      'lower/etc',
      'lower/data',
      'upper',
      'work',
      'merged',
    ]) {
      fs.mkdirSync(path.join(this.dir, d), { recursive: true });
    }
    fs.copyFileSync('/usr/bin/busybox', path.join(this.lower, 'bin/busybox'));
    fs.chmodSync(path.join(this.lower, 'bin/busybox'), 0o755);
    fs.symlinkSync('busybox', path.join(this.lower, 'bin/sh'));
    fs.writeFileSync(path.join(this.lower, 'usr/local/bin/entry.sh'), '#!/bin/sh\necho image\n', {
      mode: 0o755,
    });
    fs.writeFileSync(path.join(this.lower, 'bin/tool'), 'ELF image tool', { mode: 0o755 });
    fs.copyFileSync('/usr/bin/busybox', path.join(this.lower, 'bin/ls'));
    fs.chmodSync(path.join(this.lower, 'bin/ls'), 0o755);
    fs.writeFileSync(path.join(this.lower, 'etc/motd'), 'image file\n');
    const options = `lowerdir=${this.lower},upperdir=${this.upper},workdir=${path.join(this.dir, 'work')}`;
    this.mount(['-t', 'overlay', 'overlay', '-o', options, this.merged]);
  }

  mount(args: string[]): void {
    execFileSync('mount', args);
    this.mounts.unshift(args[args.length - 1]);
  }

  /** Writes through the merged view, the way a process in the container would. */
  write(containerPath: string, content: string, mode = 0o755): void {
    fs.writeFileSync(path.join(this.merged, containerPath), content, { mode });
  }

  /** Puts every process started from now on into `/docker/<id>` in the cgroup v2 tree, as Docker does. */
  useCgroup(cgroupRoot = '/sys/fs/cgroup/unified'): string {
    this.cgroup = path.join(cgroupRoot, 'docker', this.id);
    fs.mkdirSync(this.cgroup, { recursive: true });
    return this.cgroup;
  }

  get cgroupDir(): string | null {
    return this.cgroup;
  }

  /** A command run inside the container: joins its cgroup first, then enters its root. */
  private command(inner: string[]): [string, string[]] {
    if (this.cgroup === null) return ['chroot', [this.merged, ...inner]];
    const quoted = ['chroot', this.merged, ...inner]
      .map((a) => `'${a.replace(/'/g, `'\\''`)}'`)
      .join(' ');
    return ['sh', ['-c', `echo $$ > ${this.cgroup}/cgroup.procs && exec ${quoted}`]];
  }

  /** Runs a shell script in the container, like `kubectl exec ... -- sh -c script`. */
  run(
    script: string,
  ): Promise<{ stdout: string; code: number | null; signal: NodeJS.Signals | null }> {
    const [file, args] = this.command(['/bin/busybox', 'sh', '-c', script]);
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    return new Promise((resolve) =>
      child.on('close', (code, signal) => resolve({ stdout, code, signal })),
    );
  }

  async start(): Promise<number> {
    const [file, args] = this.command([
      '/bin/busybox',
      'sh',
      '-c',
      'cd /tmp && exec /bin/busybox sleep 600',
    ]);
    this.process = spawn(file, args, { stdio: 'ignore' });
    const pid = this.process.pid as number;
    // Wait for the exec of sleep, so /proc/<pid>/root is the merged tree.
    for (let i = 0; i < 200; i++) {
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmdline.startsWith('/bin/busybox\0sleep')) return pid;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`container process ${pid} never reached sleep`);
  }

  async destroy(): Promise<void> {
    if (this.process && this.process.exitCode === null && this.process.signalCode === null) {
      const exited = new Promise((resolve) => this.process?.once('exit', resolve));
      this.process.kill('SIGKILL');
      await exited;
    }
    for (const m of this.mounts) execFileSync('umount', ['-l', m]);
    fs.rmSync(this.dir, { recursive: true, force: true });
    if (this.cgroup) fs.rmdirSync(this.cgroup);
  }
}
