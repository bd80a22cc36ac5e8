import * as fs from 'fs';
import * as path from 'path';
import type { ContainerRef } from '../processes/process-table';

const ID = '([0-9a-f]{64})';
/**
 * The cgroup layouts runtimes create, most specific first:
 * - systemd driver: `.../cri-containerd-<id>.scope`, `.../crio-<id>.scope`, `.../docker-<id>.scope`
 * - cgroupfs driver: `/kubepods/<qos>/pod<uid>/<id>`, `/docker/<id>`
 */
const FORMS: { pattern: RegExp; flavor: ContainerRef['flavor'] }[] = [
  { pattern: new RegExp(`(?:^|/)cri-containerd-${ID}\\.scope(?:/|$)`), flavor: 'cri' },
  { pattern: new RegExp(`(?:^|/)crio-${ID}\\.scope(?:/|$)`), flavor: 'cri' },
  { pattern: new RegExp(`(?:^|/)docker-${ID}\\.scope(?:/|$)`), flavor: 'docker' },
  { pattern: new RegExp(`^/kubepods(?:/[^/]+)*/${ID}(?:/|$)`), flavor: 'cri' },
  { pattern: new RegExp(`^/docker/${ID}(?:/|$)`), flavor: 'docker' },
];

/** The container a cgroup path belongs to, or null for host cgroups. */
export function containerFromCgroupPath(cgroupPath: string): ContainerRef | null {
  for (const { pattern, flavor } of FORMS) {
    const match = pattern.exec(cgroupPath);
    if (match) {
      const kubernetes = flavor === 'cri' || cgroupPath.includes('kubepods');
      return { id: match[1], flavor: kubernetes ? 'cri' : flavor };
    }
  }
  return null;
}

/**
 * The cgroup v2 path of a process (`0::/...` in /proc/<pid>/cgroup). On hybrid hosts the v2
 * line may read `/` while the v1 hierarchies name the container, so those are the fallback.
 */
export function cgroupPathsOf(procRoot: string, pid: number): { v2: string | null; all: string[] } {
  const text = fs.readFileSync(path.join(procRoot, String(pid), 'cgroup'), 'utf8');
  const all: string[] = [];
  let v2: string | null = null;
  for (const line of text.split('\n')) {
    const [, hierarchy, controllers, cgroupPath] = /^(\d+):([^:]*):(.*)$/.exec(line) ?? [];
    if (cgroupPath === undefined) continue;
    all.push(cgroupPath);
    if (hierarchy === '0' && controllers === '') v2 = cgroupPath;
  }
  return { v2, all };
}
