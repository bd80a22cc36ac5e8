import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { OverlayContainer } from '../../test/support/overlay-container';
import { rootLayersOf, type RootLayers } from '../containers/mountinfo';
import { runningFileFlags } from './running-drift';

const IMAGE = { memfd: false, upperLayer: false, nonImageFs: false };

describe('runningFileFlags on processes running in a real overlay', () => {
  let container: OverlayContainer;
  let init: number;
  let layers: RootLayers;
  const started: number[] = [];

  /** busybox copied to /tmp/<dir>/sleep after start, running `sleep 60` in the background */
  async function startCopiedSleep(dir: string): Promise<number> {
    const run = await container.run(
      `/bin/busybox mkdir /tmp/${dir} && /bin/busybox cp /bin/busybox /tmp/${dir}/sleep && (/tmp/${dir}/sleep 60 >/dev/null 2>&1 & echo $!)`,
    );
    const pid = Number(run.stdout.trim());
    started.push(pid);
    return pid;
  }

  beforeAll(async () => {
    container = new OverlayContainer();
    init = await container.start();
    layers = rootLayersOf('/proc', init) as RootLayers;
    // the shell opens /dev/null for a background job's stdin
    fs.mkdirSync(path.join(container.merged, 'dev'));
    execFileSync('mknod', ['-m', '666', path.join(container.merged, 'dev/null'), 'c', '1', '3']);
  });

  afterAll(async () => {
    for (const pid of started) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await container.destroy();
  });

  it('sees an image binary as clean', () => {
    expect(runningFileFlags('/proc', init, '/bin/busybox', layers)).toEqual(IMAGE);
  });

  it('flags a binary written after start as upper layer', async () => {
    const pid = await startCopiedSleep('a');
    expect(runningFileFlags('/proc', pid, '/tmp/a/sleep', layers)).toEqual({
      ...IMAGE,
      upperLayer: true,
    });
  });

  it('flags a new binary deleted after it started as fileless, as the kernel would', async () => {
    const pid = await startCopiedSleep('b');
    fs.rmSync(path.join(container.merged, 'tmp/b/sleep'));
    expect(runningFileFlags('/proc', pid, '/tmp/b/sleep', layers)).toEqual({
      ...IMAGE,
      memfd: true,
    });
    // as the start-up scan records it: the link's text, suffix included
    expect(runningFileFlags('/proc', pid, '/tmp/b/sleep (deleted)', layers)?.memfd).toBe(true);
  });

  it('does not guess when the recorded path no longer leads to the running file', async () => {
    const pid = await startCopiedSleep('c');
    fs.renameSync(
      path.join(container.merged, 'tmp/c/sleep'),
      path.join(container.merged, 'tmp/c/x'),
    );
    expect(runningFileFlags('/proc', pid, '/tmp/c/sleep', layers)).toBeNull();
    // an image file copied over the path after the process started: a different inode
    fs.copyFileSync('/usr/bin/busybox', path.join(container.merged, 'tmp/c/sleep'));
    expect(runningFileFlags('/proc', pid, '/tmp/c/sleep', layers)).toBeNull();
    expect(runningFileFlags('/proc', pid, 'tmp/c/x', layers)).toBeNull();
  });

  it('answers nothing for a process that is gone', () => {
    expect(runningFileFlags('/proc', 2 ** 22 + 1, '/bin/busybox', layers)).toBeNull();
  });

  it('leaves alone an image binary deleted under its running process (an upgrade)', () => {
    fs.rmSync(path.join(container.merged, 'bin/busybox'));
    expect(fs.readlinkSync(`/proc/${init}/exe`)).toMatch(/ \(deleted\)$/);
    expect(runningFileFlags('/proc', init, '/bin/busybox', layers)).toBeNull();
  });
});
