// What a host agent sees of a container: its processes, cgroup and writable layer, read from
// /proc the way the agent reads them.
import * as fs from 'fs';
import type { CriClient } from '@driftlock/cri';

/** Host pid of a CRI container's init, from containerd's verbose ContainerStatus. */
export async function containerInitPid(cri: CriClient, containerId: string): Promise<number> {
  const { info } = await cri.containerStatus(containerId, true);
  const pid = info.info ? (JSON.parse(info.info) as { pid?: number }).pid : undefined;
  if (!pid) {
    throw new Error(`container ${containerId}: no pid in verbose ContainerStatus (is it running?)`);
  }
  return pid;
}

/** The cgroup paths of a process (`/kubepods/besteffort/pod<uid>/<id>`), one per hierarchy. */
export function cgroupPaths(pid: number): string[] {
  const text = fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8');
  return [
    ...new Set(
      text
        .trim()
        .split('\n')
        .map((line) => line.split(':').slice(2).join(':')),
    ),
  ];
}

/** Host pids of every process in a container (init and exec sessions): their cgroup ends in its id. */
export function containerHostPids(containerId: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (cgroupPaths(Number(entry)).some((p) => p.endsWith(`/${containerId}`)))
        pids.push(Number(entry));
    } catch {
      // The process exited while we looked.
    }
  }
  return pids.sort((a, b) => a - b);
}

export interface RootOverlay {
  /** The container's writable layer on the host: files written after start land here. */
  upperdir: string;
  lowerdirs: string[];
}

/** The overlay mounted as a process's root, from /proc/<pid>/mountinfo. */
export function rootOverlay(pid: number): RootOverlay {
  const mountinfo = fs.readFileSync(`/proc/${pid}/mountinfo`, 'utf8');
  for (const line of mountinfo.trim().split('\n')) {
    // id parent major:minor root mountpoint options [optional...] - fstype source superoptions
    const [before, after] = line.split(' - ');
    if (before?.split(' ')[4] !== '/' || !after) continue;
    const [fstype, , superOptions = ''] = after.split(' ');
    if (fstype !== 'overlay') {
      throw new Error(`pid ${pid}: root is ${fstype}, not overlay: ${line}`);
    }
    const option = (name: string): string | undefined =>
      superOptions
        .split(',')
        .find((o) => o.startsWith(`${name}=`))
        ?.slice(name.length + 1);
    const upperdir = option('upperdir');
    if (!upperdir) throw new Error(`pid ${pid}: root overlay has no upperdir: ${line}`);
    return { upperdir, lowerdirs: (option('lowerdir') ?? '').split(':').filter(Boolean) };
  }
  throw new Error(`pid ${pid}: no root mount in /proc/${pid}/mountinfo`);
}
