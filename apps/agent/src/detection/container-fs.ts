import * as fs from 'fs';
import * as path from 'path';
import type { RootLayers } from '../containers/mountinfo';

const MAX_SYMLINKS = 40;

/**
 * Resolves a path the way a process whose root is `root` would, without letting an absolute
 * symlink escape to the host: `/proc/<pid>/root/tmp/x -> /etc/y` must mean the container's
 * /etc/y. Returns the canonical path inside the root, or null when it does not exist.
 */
export function resolveInRoot(root: string, containerPath: string): string | null {
  const pending = containerPath.split('/').filter((c) => c !== '' && c !== '.');
  const resolved: string[] = [];
  let hops = 0;
  while (pending.length > 0) {
    const component = pending.shift() as string;
    if (component === '..') {
      resolved.pop();
      continue;
    }
    const candidate = [...resolved, component];
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(path.join(root, ...candidate));
    } catch {
      return null;
    }
    if (!stat.isSymbolicLink()) {
      resolved.push(component);
      continue;
    }
    if (++hops > MAX_SYMLINKS) return null;
    const target = fs.readlinkSync(path.join(root, ...candidate));
    const targetParts = target.split('/').filter((c) => c !== '' && c !== '.');
    if (target.startsWith('/')) resolved.length = 0;
    pending.unshift(...targetParts);
  }
  return '/' + resolved.join('/');
}

/** A container path joined to a host directory that stands for the container's root. */
export function hostPathIn(root: string, containerPath: string): string {
  return path.join(root, containerPath);
}

/** An overlay whiteout (a 0/0 character device) hides a lower file; it is not a file itself. */
export function isRegularFile(file: string): boolean {
  try {
    return fs.lstatSync(file).isFile();
  } catch {
    return false;
  }
}

export type Layer = 'upper' | 'lower' | 'elsewhere';

/**
 * Where a resolved container path comes from: the writable layer (written or changed since the
 * container started), the image (a lower layer), or neither (a volume, tmpfs, another mount).
 */
export function layerOf(layers: RootLayers, containerPath: string): Layer {
  if (isRegularFile(hostPathIn(layers.upperdir, containerPath))) return 'upper';
  if (inImage(layers, containerPath)) return 'lower';
  return 'elsewhere';
}

/** True when one of the image's layers holds this path: a changed copy of it is a modified image file. */
export function inImage(layers: RootLayers, containerPath: string): boolean {
  return layers.lowerdirs.some((dir) => isRegularFile(hostPathIn(dir, containerPath)));
}

/** The first bytes say whether the kernel ran the file through a `#!` interpreter. */
export function isScript(file: string): boolean {
  let fd: number | null = null;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
    const head = Buffer.alloc(2);
    return fs.readSync(fd, head, 0, 2, 0) === 2 && head.toString() === '#!';
  } catch {
    return false;
  } finally {
    if (fd !== null) fs.closeSync(fd);
  }
}

const MAX_LAYER_ENTRIES = 20_000;

/**
 * Finds a file by its relative exec name (`./minerd`, `bin/x`) in a layer directory: the
 * entries whose path ends with that name, the one with the given inode preferred. Bounded,
 * because a writable layer can hold a whole build tree.
 */
export function findInLayer(
  layerDir: string,
  relativeName: string,
  ino: string | null,
): string | null {
  const suffix =
    '/' +
    relativeName
      .split('/')
      .filter((c) => c !== '' && c !== '.')
      .join('/');
  const matches: string[] = [];
  const queue = [''];
  let seen = 0;
  while (queue.length > 0 && seen < MAX_LAYER_ENTRIES) {
    const dir = queue.shift() as string;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(path.join(layerDir, dir), { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      seen += 1;
      const containerPath = `${dir}/${entry.name}`;
      if (entry.isDirectory()) queue.push(containerPath);
      else if (entry.isFile() && containerPath.endsWith(suffix)) matches.push(containerPath);
    }
  }
  if (ino !== null) {
    const exact = matches.find((m) => {
      try {
        return fs.statSync(path.join(layerDir, m), { bigint: true }).ino.toString() === ino;
      } catch {
        return false;
      }
    });
    if (exact) return exact;
  }
  return matches.length === 1 ? matches[0] : null;
}
