import * as fs from 'fs';
import * as path from 'path';
import type { Storyline } from '@driftlock/protocol';

/** /etc/passwd files past this size are not read: a name is a convenience, not worth a stall. */
const MAX_PASSWD_BYTES = 1024 * 1024;

/** uid -> user name from the passwd file under a process's root (its container's, or the host's). */
export function userNamesAt(procRoot: string, pid: number): Map<number, string> {
  const names = new Map<number, string>();
  const file = path.join(procRoot, String(pid), 'root', 'etc', 'passwd');
  let text: string;
  try {
    if (fs.statSync(file).size > MAX_PASSWD_BYTES) return names;
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return names; // the process is gone or its image has no passwd: uids stay numbers
  }
  for (const line of text.split('\n')) {
    const [name, , uid] = line.split(':');
    const n = Number(uid);
    if (name && uid !== undefined && Number.isInteger(n) && !names.has(n)) names.set(n, name);
  }
  return names;
}

/**
 * The storyline with user names filled in: a process in the container is named from the
 * container's passwd, any other (the runtime's shim) from the host's.
 */
export function withUserNames(
  storyline: Storyline,
  containerId: string | null,
  containerNames: Map<number, string>,
  hostNames: Map<number, string>,
): Storyline {
  return {
    ...storyline,
    processes: storyline.processes.map((p) => {
      const names =
        p.containerId !== null && p.containerId === containerId ? containerNames : hostNames;
      return { ...p, user: p.user ?? names.get(p.uid) ?? null };
    }),
  };
}
