/**
 * The kernel sensor, for real: the loader built by `make -C bpf`, its BPF programs on this
 * kernel, a real overlay mount used as a container root, and cgroups created for these specs
 * (protect mode is only ever set on those). Needs root.
 */
import { execFileSync, spawn, spawnSync } from 'child_process';
import { existsSync, promises as fs, statSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { cgroupIdOf, Sensor } from './sensor';
import { sensorStringToBytes, type ExecEvent, type SensorEvent } from './sensor-events';

const BPF_DIR = path.resolve(__dirname, '..', '..', '..', '..', 'bpf');
const LOADER = path.join(BPF_DIR, 'build', 'driftlock-sensor');
const MARKER_BINARY = path.join(BPF_DIR, 'build', 'test', 'marker');
const RUNNER = path.join(BPF_DIR, 'build', 'test', 'exec-runner');
const CGROUP_V2 = '/sys/fs/cgroup/unified';
const SIGKILL = 9;

interface RunResult {
  runs: number;
  exit_codes: Record<string, number>;
  signals: Record<string, number>;
}

interface RunOptions {
  cgroup?: TestCgroup;
  root?: string;
  memfd?: boolean;
  count?: number;
}

interface TestCgroup {
  dir: string;
  id: string;
}

/** fork+exec through the C runner: many runs stay fast, and chroot makes the overlay the root. */
function run(program: string[], options: RunOptions = {}): RunResult {
  const args: string[] = [];
  if (options.cgroup) args.push('--cgroup', options.cgroup.dir);
  if (options.root) args.push('--root', options.root);
  if (options.memfd) args.push('--memfd');
  if (options.count) args.push('--count', String(options.count));
  const output = execFileSync(RUNNER, [...args, '--', ...program], { encoding: 'utf8' });
  return JSON.parse(output) as RunResult;
}

/** A container-like root: lower layer (the image) with static binaries, upper, work, merged. */
class Overlay {
  readonly base: string;
  readonly lower: string;
  readonly merged: string;
  readonly tmpfs: string;

  constructor(base: string) {
    this.base = base;
    this.lower = path.join(base, 'lower');
    this.merged = path.join(base, 'merged');
    this.tmpfs = path.join(this.merged, 'run', 'tmpfs');
  }

  async mount(imageBinaries: string[]): Promise<void> {
    for (const dir of [
      'lower/bin',
      'lower/markers',
      'lower/run/tmpfs',
      'upper',
      'work',
      'merged',
    ]) {
      await fs.mkdir(path.join(this.base, dir), { recursive: true });
    }
    for (const name of imageBinaries) {
      await fs.copyFile(MARKER_BINARY, path.join(this.lower, 'bin', name));
      await fs.chmod(path.join(this.lower, 'bin', name), 0o755);
    }
    const layers = `lowerdir=${this.lower},upperdir=${this.base}/upper,workdir=${this.base}/work`;
    execFileSync('mount', ['-t', 'overlay', 'overlay', '-o', layers, this.merged]);
    execFileSync('mount', ['-t', 'tmpfs', 'tmpfs', this.tmpfs]);
  }

  /** Writes a file through the merged dir, as a process in the container would. */
  async drop(containerPath: string, source = MARKER_BINARY): Promise<string> {
    const hostPath = this.hostPath(containerPath);
    await fs.copyFile(source, hostPath);
    await fs.chmod(hostPath, 0o755);
    return hostPath;
  }

  hostPath(containerPath: string): string {
    return path.join(this.merged, containerPath);
  }

  markerExists(containerPath: string): boolean {
    return existsSync(this.hostPath(containerPath));
  }

  async unmount(): Promise<void> {
    for (const target of [this.tmpfs, this.merged]) {
      spawnSync('umount', [target]);
    }
    await fs.rm(this.base, { recursive: true, force: true });
  }
}

describe('Sensor (real BPF programs on this kernel)', () => {
  const events: SensorEvent[] = [];
  const cgroups: string[] = [];
  let overlay: Overlay;
  let sensor: Sensor;
  let marks = 0;

  /** A unique marker path inside the container, so every exec is told apart by its argv. */
  const marker = (label: string): string => `/markers/${label}-${process.pid}-${++marks}`;

  async function createCgroup(label: string): Promise<TestCgroup> {
    const dir = path.join(CGROUP_V2, `driftlock-spec-${process.pid}-${label}`);
    await fs.mkdir(dir);
    cgroups.push(dir);
    return { dir, id: await cgroupIdOf(dir) };
  }

  async function waitFor<T extends SensorEvent>(
    what: string,
    match: (event: SensorEvent) => event is T,
    count = 1,
  ): Promise<T[]> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const found = events.filter(match);
      if (found.length >= count) return found;
      if (Date.now() > deadline) {
        throw new Error(`expected ${count} ${what} event(s), got ${found.length} within 10 s`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** The exec of the program given this argument (not the runner's own exec, which carries it too). */
  const execWithArg =
    (arg: string) =>
    (event: SensorEvent): event is ExecEvent =>
      event.kind === 'exec' && event.argv.includes(arg) && event.argv[0] !== RUNNER;

  async function execEventFor(arg: string): Promise<ExecEvent> {
    const [event] = await waitFor(`exec with argument ${arg}`, execWithArg(arg));
    return event;
  }

  beforeAll(async () => {
    if (process.getuid?.() !== 0)
      throw new Error('the sensor specs load BPF programs: run them as root');
    execFileSync('make', ['-C', BPF_DIR, '--quiet', 'all'], { stdio: 'inherit' });
    overlay = new Overlay(await fs.mkdtemp(path.join(os.tmpdir(), 'driftlock-overlay-')));
    await overlay.mount(['probe', 'chmodded', 'overwritten', 'interp']);
    sensor = new Sensor({ loaderPath: LOADER, statsIntervalMs: 200 });
    sensor.on('event', (event) => events.push(event));
    await sensor.start();
  });

  afterAll(async () => {
    await sensor?.stop();
    await overlay?.unmount();
    for (const dir of cgroups) await fs.rmdir(dir).catch(() => undefined);
  });

  describe('process events', () => {
    it('lists processes older than the sensor as scan events, this test process included', () => {
      const self = events.find((e) => e.kind === 'exec' && e.scan && e.pid === process.pid);
      expect(self).toMatchObject({ kind: 'exec', ppid: process.ppid, scan: true, verdict: 'none' });
    });

    it('reports fork, exec and exit with the exit code and the killing signal', async () => {
      const exited = spawnSync('/bin/sh', ['-c', 'exit 7', 'driftlock-exit-code']);
      const exitEvent = await waitFor(
        'exit of the sh that exits 7',
        (e): e is SensorEvent & { kind: 'exit' } => e.kind === 'exit' && e.pid === exited.pid,
      );
      expect(exitEvent[0]).toMatchObject({ exitCode: 7, signal: 0 });
      const exec = events.find((e) => e.kind === 'exec' && e.pid === exited.pid);
      expect(exec).toMatchObject({ argv: ['/bin/sh', '-c', 'exit 7', 'driftlock-exit-code'] });
      expect(events.some((e) => e.kind === 'fork' && e.pid === exited.pid)).toBe(true);

      const sleeper = spawn('/bin/sleep', ['30']);
      await waitFor(
        'exec of sleep 30',
        (e): e is ExecEvent => e.kind === 'exec' && e.pid === sleeper.pid,
      );
      sleeper.kill('SIGKILL');
      const killed = await waitFor(
        'exit of the killed sleep',
        (e): e is SensorEvent & { kind: 'exit' } => e.kind === 'exit' && e.pid === sleeper.pid,
      );
      expect(killed[0]).toMatchObject({ signal: SIGKILL });
    });

    it('escapes argv bytes that are not UTF-8 so they round-trip exactly', async () => {
      spawnSync('/bin/sh', ['-c', 'exec /bin/true "$(printf "\\377\\376ab")" driftlock-bytes']);
      const event = await execEventFor('driftlock-bytes');
      expect(sensorStringToBytes(event.argv[1])).toEqual(Buffer.from([0xff, 0xfe, 0x61, 0x62]));
    });
  });

  describe('drift flags, overlay as the process root (detect mode)', () => {
    let cgroup: TestCgroup;

    beforeAll(async () => {
      cgroup = await createCgroup('flags');
      await sensor.setMode(cgroup.id, 'detect');
    });

    const inContainer = (program: string, mark: string): RunResult =>
      run([program, mark], { cgroup, root: overlay.merged });

    it('reports a binary from the lower layer (the image) with no flags', async () => {
      const mark = marker('lower');
      expect(inContainer('/bin/probe', mark).exit_codes).toEqual({ '0': 1 });
      const event = await execEventFor(mark);
      expect(event.flags).toEqual({
        upperLayer: false,
        memfd: false,
        nonImageFs: false,
        interpreter: false,
      });
      expect(event).toMatchObject({ cgroupId: cgroup.id, mode: 'detect', verdict: 'clean' });
    });

    it("flags a binary copied into the overlay's merged dir as upper_layer", async () => {
      await overlay.drop('/bin/dropped');
      const mark = marker('dropped');
      inContainer('/bin/dropped', mark);
      const event = await execEventFor(mark);
      expect(event.flags).toMatchObject({ upperLayer: true, memfd: false, nonImageFs: false });
      expect(event).toMatchObject({ verdict: 'drift', killed: false, filename: '/bin/dropped' });
      expect(event.ino).toBe(statSync(overlay.hostPath('/bin/dropped')).ino.toString());
    });

    it('flags a lower binary as upper_layer after chmod copied it up', async () => {
      await fs.chmod(overlay.hostPath('/bin/chmodded'), 0o700);
      const mark = marker('chmod');
      inContainer('/bin/chmodded', mark);
      expect((await execEventFor(mark)).flags.upperLayer).toBe(true);
    });

    it('flags a lower binary as upper_layer after it was overwritten', async () => {
      await overlay.drop('/bin/overwritten');
      const mark = marker('overwrite');
      inContainer('/bin/overwritten', mark);
      expect((await execEventFor(mark)).flags.upperLayer).toBe(true);
    });

    it('flags a #! script copied in as upper_layer and reports the script, not its interpreter', async () => {
      const script = overlay.hostPath('/bin/dropped.sh');
      await fs.writeFile(script, '#!/bin/probe\n', { mode: 0o755 });
      const mark = marker('script');
      expect(inContainer('/bin/dropped.sh', mark).exit_codes).toEqual({ '0': 1 });
      const event = await execEventFor(mark);
      expect(event).toMatchObject({ filename: '/bin/dropped.sh', verdict: 'drift' });
      expect(event.flags.upperLayer).toBe(true);
      expect(event.ino).toBe(statSync(script).ino.toString());
    });

    it('flags an exec from a memfd as memfd', async () => {
      const mark = marker('memfd');
      run([path.join(overlay.lower, 'bin', 'probe'), mark], {
        cgroup,
        root: overlay.merged,
        memfd: true,
      });
      const event = await execEventFor(mark);
      expect(event.flags).toMatchObject({ memfd: true, upperLayer: false });
    });

    it('flags a binary on a tmpfs inside the overlay root as non_image_fs', async () => {
      await overlay.drop('/run/tmpfs/payload');
      const mark = marker('tmpfs');
      inContainer('/run/tmpfs/payload', mark);
      const event = await execEventFor(mark);
      expect(event.flags).toMatchObject({ nonImageFs: true, upperLayer: false, memfd: false });
    });

    it('flags `sh script` as interpreter (the script argument is for the agent to judge)', async () => {
      const script = path.join(overlay.base, 'plain.sh');
      await fs.writeFile(script, 'exit 0\n');
      const mark = `driftlock-interp-${process.pid}`;
      run(['/bin/sh', script, mark], { cgroup });
      const event = await execEventFor(mark);
      expect(event.flags).toMatchObject({ interpreter: true, upperLayer: false });
    });
  });

  describe('enforcement', () => {
    it('kills an upper-layer binary in protect mode before its first instruction: status 137, no marker, 1,000 of 1,000 runs', async () => {
      const cgroup = await createCgroup('protect');
      await sensor.setMode(cgroup.id, 'protect');
      await overlay.drop('/bin/miner');
      const mark = marker('kill');

      const result = run(['/bin/miner', mark], { cgroup, root: overlay.merged, count: 1000 });

      expect(result).toEqual({
        runs: 1000,
        exit_codes: {},
        signals: { [SIGKILL]: 1000 },
        elapsed_ns: expect.any(Number),
        cpu_ns: expect.any(Number),
      });
      expect(overlay.markerExists(mark)).toBe(false);
      const killed = await waitFor(
        'killed exec',
        (e): e is ExecEvent => execWithArg(mark)(e) && e.killed,
        1000,
      );
      expect(killed.every((e) => e.verdict === 'killed' && e.mode === 'protect')).toBe(true);

      const shell = spawnSync('/bin/sh', [
        '-c',
        `echo $$ > ${cgroup.dir}/cgroup.procs && chroot ${overlay.merged} /bin/miner ${mark}; echo $?`,
      ]);
      expect(shell.stdout.toString().trim()).toBe('137');
      expect(overlay.markerExists(mark)).toBe(false);
    });

    it('reports the same drift in detect mode without killing it', async () => {
      const cgroup = await createCgroup('detect');
      await sensor.setMode(cgroup.id, 'detect');
      await overlay.drop('/bin/detected');
      const mark = marker('detect');

      expect(
        run(['/bin/detected', mark], { cgroup, root: overlay.merged, count: 20 }).exit_codes,
      ).toEqual({ '0': 20 });
      expect(overlay.markerExists(mark)).toBe(true);
      const seen = await waitFor('detected exec', execWithArg(mark), 20);
      expect(seen.every((e) => e.verdict === 'drift' && !e.killed && e.flags.upperLayer)).toBe(
        true,
      );
    });

    it('reports drift with no verdict when the mode is off', async () => {
      const cgroup = await createCgroup('off');
      await sensor.setMode(cgroup.id, 'off');
      await overlay.drop('/bin/unwatched');
      const mark = marker('off');

      expect(run(['/bin/unwatched', mark], { cgroup, root: overlay.merged }).exit_codes).toEqual({
        '0': 1,
      });
      const event = await execEventFor(mark);
      expect(event).toMatchObject({ mode: 'off', verdict: 'none', killed: false });
      expect(event.flags.upperLayer).toBe(true);
    });

    it('lets an excepted file run in protect mode, until the file is modified', async () => {
      const cgroup = await createCgroup('exception');
      await sensor.setMode(cgroup.id, 'protect');
      const hostPath = await overlay.drop('/bin/allowed');
      const identity = await sensor.addException(hostPath);
      expect(identity.ino).toBe(statSync(hostPath).ino.toString());
      const allowed = marker('allowed');

      expect(run(['/bin/allowed', allowed], { cgroup, root: overlay.merged }).exit_codes).toEqual({
        '0': 1,
      });
      expect(overlay.markerExists(allowed)).toBe(true);
      expect(await execEventFor(allowed)).toMatchObject({ verdict: 'excepted', killed: false });

      await fs.chmod(hostPath, 0o700);
      const modified = marker('modified');
      expect(run(['/bin/allowed', modified], { cgroup, root: overlay.merged }).signals).toEqual({
        [SIGKILL]: 1,
      });
      expect(overlay.markerExists(modified)).toBe(false);
      expect(await execEventFor(modified)).toMatchObject({ verdict: 'killed' });
    });

    it('never kills a process outside the protected cgroup, even running the same drifted file', async () => {
      const cgroup = await createCgroup('guarded');
      await sensor.setMode(cgroup.id, 'protect');
      await overlay.drop('/bin/elsewhere');
      const mark = marker('outside');

      expect(run(['/bin/elsewhere', mark], { root: overlay.merged, count: 50 }).exit_codes).toEqual(
        { '0': 50 },
      );
      expect(overlay.markerExists(mark)).toBe(true);
      const seen = await waitFor('exec outside the cgroup', execWithArg(mark), 50);
      expect(seen.every((e) => e.cgroupId !== cgroup.id && !e.killed && e.flags.upperLayer)).toBe(
        true,
      );
    });

    it('refuses an exception for a missing file with an error naming it, and keeps serving', async () => {
      await expect(sensor.addException('/nonexistent/driftlock')).rejects.toThrow(
        /except: cannot stat \/nonexistent\/driftlock: No such file or directory/,
      );
      expect((await sensor.stats()).kills).toBeGreaterThanOrEqual(1001);
    });
  });

  describe('loss accounting and lifecycle', () => {
    it('counts every exec the full ring buffer could not take: seen plus dropped covers all of them', async () => {
      const cgroup = await createCgroup('flood');
      // a small ring fills with a small flood, so other suites' sensors are not flooded too
      const slow = new Sensor({
        loaderPath: LOADER,
        highWaterMark: 100,
        ringBufferKb: 256,
        stopTimeoutMs: 30_000,
      });
      await slow.start();
      const stream = slow.events();
      // subscribed, and until the runs are over nobody reads: the loader blocks on stdout
      const execs = 2000;
      const mark = marker('flood');

      run([path.join(overlay.lower, 'bin', 'probe'), mark], { cgroup, count: execs });

      let seen = 0;
      const counting = (async () => {
        for await (const event of stream) if (execWithArg(mark)(event)) seen++;
      })();
      const exit = await slow.stop();
      await counting;
      const drops = slow.latestStats?.drops ?? 0;
      // one object, so a failure shows every figure at once
      expect({ code: exit.code, reason: exit.reason, seen, drops }).toEqual({
        code: 0,
        reason: 'eof',
        seen: expect.any(Number),
        drops: expect.any(Number),
      });
      expect(drops).toBeGreaterThan(0);
      expect(seen + drops).toBeGreaterThanOrEqual(execs);
      expect(seen).toBeLessThan(execs);
    });

    it('answers malformed commands with errors that name the problem, then says bye and exits 0 on SIGTERM', async () => {
      const loader = spawn(LOADER, [], { stdio: ['pipe', 'pipe', 'inherit'] });
      let output = '';
      loader.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      loader.stdin.write('mode abc protect\nmode 1 paranoid\nfrobnicate\n');
      while ((output.match(/"k":"ack"/g) ?? []).length < 3) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const closed = new Promise<number | null>((resolve) => loader.on('close', resolve));
      loader.kill('SIGTERM');
      expect(await closed).toBe(0);
      const lines = output.trim().split('\n');
      expect(lines.filter((line) => line.includes('"k":"ack"'))).toEqual([
        `{"k":"ack","ok":false,"cmd":"mode","err":"mode: cgroup id 'abc' is not a decimal number"}`,
        `{"k":"ack","ok":false,"cmd":"mode","err":"mode: unknown mode 'paranoid' (off, detect or protect)"}`,
        `{"k":"ack","ok":false,"cmd":"frobnicate","err":"unknown command 'frobnicate' (mode, clear, except, unexcept, stats)"}`,
      ]);
      expect(lines.at(-1)).toBe('{"k":"bye","reason":"signal"}');
    });

    it('exits 2 with a message naming the missing privilege when not root', async () => {
      // A copy outside the checkout: the user nobody may not reach a clone under /root.
      const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'driftlock-sensor-'));
      const loader = path.join(dir, 'driftlock-sensor');
      await fs.copyFile(LOADER, loader);
      await fs.chmod(dir, 0o755);
      await fs.chmod(loader, 0o755);
      const result = spawnSync(loader, [], { uid: 65534, gid: 65534, input: '', encoding: 'utf8' });
      await fs.rm(dir, { recursive: true });
      expect(result.error).toBeUndefined();
      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(
        /driftlock-sensor: loading BPF programs: Operation not permitted; run as root/,
      );
      expect(result.stdout).toBe('');
    });
  });
});
