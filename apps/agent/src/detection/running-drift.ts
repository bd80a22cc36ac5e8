import * as fs from 'fs';
import * as path from 'path';
import type { RootLayers } from '../containers/mountinfo';
import { hostPathIn, inImage, isRegularFile } from './container-fs';
import type { ExecFlags } from './detector';

/** What readlink of /proc/<pid>/exe appends once the file has no link left. */
const DELETED = ' (deleted)';

function statOrNull(file: string): fs.Stats | null {
  try {
    return fs.statSync(file);
  } catch {
    return null;
  }
}

/**
 * The kernel's drift flags, worked out in user space for a process that is already running:
 * one the start-up scan found, or one exec'd while its container was not watched. Null when it
 * cannot be told for sure (the process is gone, or the recorded path no longer leads to the file
 * it runs: renamed, or replaced on disk after it started), since a wrong answer here could kill a
 * workload that did nothing new.
 */
export function runningFileFlags(
  procRoot: string,
  pid: number,
  exe: string,
  layers: RootLayers,
): ExecFlags | null {
  const base = path.join(procRoot, String(pid));
  let link: string;
  try {
    link = fs.readlinkSync(path.join(base, 'exe'));
  } catch {
    return null;
  }
  const fileless = { memfd: true, upperLayer: false, nonImageFs: false };
  if (link.startsWith('/memfd:')) return fileless;
  if (!path.posix.isAbsolute(exe)) return null;
  // Deleted since it started: drift when the image never had that path (run, then removed);
  // an image file replaced under a running process (a package upgrade) cannot be told apart.
  if (link.endsWith(DELETED)) {
    const file = exe.endsWith(DELETED) ? exe.slice(0, -DELETED.length) : exe;
    return inImage(layers, file) ? null : fileless;
  }
  const running = statOrNull(path.join(base, 'exe'));
  const named = statOrNull(hostPathIn(path.join(base, 'root'), exe));
  const root = statOrNull(path.join(base, 'root'));
  if (!running || !named || !root || running.dev !== named.dev || running.ino !== named.ino)
    return null;
  if (running.dev !== root.dev) return { memfd: false, upperLayer: false, nonImageFs: true };
  return {
    memfd: false,
    upperLayer: isRegularFile(hostPathIn(layers.upperdir, exe)),
    nonImageFs: false,
  };
}
