import * as fs from 'fs';
import * as path from 'path';

/** The overlay layers of a container's root filesystem, as host paths. */
export interface RootLayers {
  upperdir: string;
  lowerdirs: string[];
}

/** mountinfo escapes space, tab, newline and backslash as octal (`\040`). */
function unescape(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) =>
    String.fromCharCode(parseInt(octal, 8)),
  );
}

/** Overlay options separate lower layers by `:`, and escape a literal `:` or `,` with `\`. */
function splitOptions(options: string): Map<string, string> {
  const result = new Map<string, string>();
  for (const part of options.split(/(?<!\\),/)) {
    const eq = part.indexOf('=');
    if (eq > 0) result.set(part.slice(0, eq), part.slice(eq + 1));
  }
  return result;
}

/**
 * Reads the root mount of a mountinfo text. The last `/` mount wins: a later mount on the same
 * point hides the earlier one, which is how the container's pivot_root leaves it.
 */
export function parseRootLayers(mountinfo: string): RootLayers | null {
  let found: RootLayers | null = null;
  for (const line of mountinfo.split('\n')) {
    const [mountFields, fsFields] = line.split(' - ');
    if (fsFields === undefined) continue;
    const mountPoint = unescape(mountFields.split(' ')[4] ?? '');
    const [fsType, , superOptions = ''] = fsFields.split(' ');
    if (mountPoint !== '/') continue;
    if (fsType !== 'overlay') {
      found = null;
      continue;
    }
    const options = splitOptions(unescape(superOptions));
    const upperdir = options.get('upperdir');
    if (upperdir === undefined) {
      found = null;
      continue;
    }
    const lowerdirs = (options.get('lowerdir') ?? '')
      .split(/(?<!\\):/)
      .filter((d) => d !== '')
      .map((d) => d.replace(/\\([:,])/g, '$1'));
    found = { upperdir: upperdir.replace(/\\([:,])/g, '$1'), lowerdirs };
  }
  return found;
}

export function rootLayersOf(procRoot: string, pid: number): RootLayers | null {
  try {
    return parseRootLayers(fs.readFileSync(path.join(procRoot, String(pid), 'mountinfo'), 'utf8'));
  } catch {
    return null;
  }
}
