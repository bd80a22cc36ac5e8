import * as fs from 'fs';
import * as path from 'path';
import { OverlayContainer } from '../../test/support/overlay-container';
import { rootLayersOf } from '../containers/mountinfo';
import { ExecFacts, ExecFlags, judgeExec } from './detector';

const NO_FLAGS: ExecFlags = { upperLayer: false, memfd: false, nonImageFs: false };

describe('judgeExec on a real overlay', () => {
  let container: OverlayContainer;
  let pid: number;
  let facts: (patch: Partial<ExecFacts>) => ExecFacts;

  beforeAll(async () => {
    container = new OverlayContainer();
    pid = await container.start();
    const layers = rootLayersOf('/proc', pid);
    expect(layers).toEqual({ upperdir: container.upper, lowerdirs: [container.lower] });
    facts = (patch) => ({
      pid,
      filename: '/bin/sh',
      exe: '/bin/busybox',
      args: ['sh'],
      cwd: '/tmp',
      ino: null,
      flags: NO_FLAGS,
      previousExe: '/bin/busybox',
      layers,
      ...patch,
    });
  });

  afterAll(() => container.destroy());

  it('flags a script written after start and run through sh by absolute path', () => {
    container.write('/tmp/x.sh', 'echo drift\n', 0o644);
    const finding = judgeExec(facts({ args: ['sh', '/tmp/x.sh'] }), '/proc');
    expect(finding).toEqual({
      driftClass: 'script_via_interpreter',
      containerPath: '/tmp/x.sh',
      hostPaths: [`/proc/${pid}/root/tmp/x.sh`, path.join(container.upper, 'tmp/x.sh')],
    });
  });

  it('resolves a relative script argument against the working directory', () => {
    container.write('/tmp/y.py', 'print(1)\n', 0o644);
    const finding = judgeExec(
      facts({ exe: '/usr/bin/python3.11', args: ['python3', '-u', 'y.py'], cwd: '/tmp' }),
      '/proc',
    );
    expect(finding?.driftClass).toBe('script_via_interpreter');
    expect(finding?.containerPath).toBe('/tmp/y.py');
  });

  it.each([
    ['node', ['node', '--require', 'x', '/tmp/app.js']],
    ['perl', ['perl', '-w', '/tmp/app.pl']],
  ])('flags a new %s script', (interpreter, args) => {
    container.write(args[args.length - 1], 'code\n', 0o644);
    const finding = judgeExec(facts({ exe: `/usr/bin/${interpreter}`, args }), '/proc');
    expect(finding?.containerPath).toBe(args[args.length - 1]);
  });

  it('flags a new binary run through the dynamic loader', () => {
    container.write('/tmp/minerd', 'ELF miner');
    const finding = judgeExec(
      facts({
        exe: '/lib64/ld-linux-x86-64.so.2',
        args: ['/lib64/ld-linux-x86-64.so.2', '/tmp/minerd'],
      }),
      '/proc',
    );
    expect(finding).toMatchObject({ driftClass: 'new_binary', containerPath: '/tmp/minerd' });
  });

  it('reads busybox applet command lines as the applet would', () => {
    container.write('/tmp/z.sh', 'echo drift\n', 0o644);
    const finding = judgeExec(facts({ args: ['/bin/busybox', 'sh', '/tmp/z.sh'] }), '/proc');
    expect(finding?.containerPath).toBe('/tmp/z.sh');
  });

  it('raises nothing for an image script run through sh', () => {
    expect(judgeExec(facts({ args: ['sh', '/usr/local/bin/entry.sh'] }), '/proc')).toBeNull();
  });

  it('does not take an applet such as ls for an interpreter, nor a directory for a script', () => {
    container.write('/tmp/listed', 'data', 0o644);
    expect(
      judgeExec(
        facts({ exe: '/bin/busybox', args: ['/bin/busybox', 'ls', '/tmp/listed'] }),
        '/proc',
      ),
    ).toBeNull();
    expect(judgeExec(facts({ exe: '/bin/ls', args: ['ls', '/tmp/listed'] }), '/proc')).toBeNull();
    expect(judgeExec(facts({ args: ['sh', '/tmp'] }), '/proc')).toBeNull();
  });

  it('raises nothing for inline shell code', () => {
    expect(judgeExec(facts({ args: ['sh', '-c', 'echo hi > /tmp/x.sh'] }), '/proc')).toBeNull();
  });

  it('follows an absolute symlink inside the container, never onto the host', () => {
    // /etc/motd exists in the image; on the host /etc/hostname does, in the container it does not.
    fs.symlinkSync('/etc/motd', path.join(container.merged, 'tmp/to-image'));
    fs.symlinkSync('/etc/hostname', path.join(container.merged, 'tmp/to-host'));
    expect(judgeExec(facts({ args: ['sh', '/tmp/to-image'] }), '/proc')).toBeNull();
    expect(judgeExec(facts({ args: ['sh', '/tmp/to-host'] }), '/proc')).toBeNull();
  });

  it('calls a script on a volume non_image_fs', () => {
    container.mount(['-t', 'tmpfs', 'tmpfs', path.join(container.merged, 'data')]);
    container.write('/data/job.sh', 'echo volume\n', 0o644);
    expect(judgeExec(facts({ args: ['sh', '/data/job.sh'] }), '/proc')).toMatchObject({
      driftClass: 'non_image_fs',
      containerPath: '/data/job.sh',
    });
  });

  describe('kernel flags', () => {
    it('calls an upper-layer binary new_binary and resolves ./name against the cwd', () => {
      container.write('/tmp/minerd2', 'ELF');
      const finding = judgeExec(
        facts({
          filename: './minerd2',
          exe: '/tmp/minerd2',
          args: ['./minerd2'],
          flags: { ...NO_FLAGS, upperLayer: true },
        }),
        '/proc',
      );
      expect(finding).toMatchObject({ driftClass: 'new_binary', containerPath: '/tmp/minerd2' });
    });

    it('finds a relative exec in the upper layer by name and inode once the cwd is lost', () => {
      fs.mkdirSync(path.join(container.merged, 'work/a'), { recursive: true });
      fs.mkdirSync(path.join(container.merged, 'work/b'), { recursive: true });
      container.write('/work/a/payload', 'one');
      container.write('/work/b/payload', 'two');
      const ino = fs
        .statSync(path.join(container.upper, 'work/b/payload'), { bigint: true })
        .ino.toString();
      const finding = judgeExec(
        facts({
          filename: './payload',
          exe: './payload',
          args: ['./payload'],
          cwd: null,
          ino,
          flags: { ...NO_FLAGS, upperLayer: true },
        }),
        '/proc',
      );
      expect(finding?.containerPath).toBe('/work/b/payload');
    });

    it('calls an upper-layer file with a shebang new_script', () => {
      container.write('/tmp/run.sh', '#!/bin/sh\necho hi\n');
      const finding = judgeExec(
        facts({
          filename: '/tmp/run.sh',
          exe: '/bin/busybox',
          args: ['/tmp/run.sh'],
          flags: { ...NO_FLAGS, upperLayer: true },
        }),
        '/proc',
      );
      expect(finding?.driftClass).toBe('new_script');
    });

    it('calls an image binary changed in place modified_binary', () => {
      container.write('/bin/tool', 'ELF miner now');
      const finding = judgeExec(
        facts({
          filename: '/bin/tool',
          exe: '/bin/tool',
          args: ['tool'],
          flags: { ...NO_FLAGS, upperLayer: true },
        }),
        '/proc',
      );
      expect(finding?.driftClass).toBe('modified_binary');
    });

    it('calls a memfd exec fileless', () => {
      const finding = judgeExec(
        facts({
          filename: '/proc/self/fd/3',
          exe: 'memfd:x (deleted)',
          args: ['x'],
          flags: { ...NO_FLAGS, memfd: true },
        }),
        '/proc',
      );
      expect(finding?.driftClass).toBe('fileless');
    });

    it("ignores runc's own memfd re-exec", () => {
      const finding = judgeExec(
        facts({
          filename: '/proc/self/exe',
          exe: 'memfd:runc_cloned:/proc/self/exe (deleted)',
          args: ['runc', 'init'],
          previousExe: '/usr/sbin/runc',
          flags: { ...NO_FLAGS, memfd: true },
        }),
        '/proc',
      );
      expect(finding).toBeNull();
    });
  });
});
