import type { ProcessNode, Storyline, StorylineView } from '@driftlock/protocol';
import type { StoredStoryline } from '../process-events/process-events.service';

/**
 * Merges the threat's storyline snapshot with the process events stored since: the snapshot
 * guarantees the tree around the threat, the stored events add processes and exits it missed.
 */
export function buildStoryline(
  snapshot: Storyline,
  stored: StoredStoryline,
  threatProcessId: string,
): StorylineView {
  const nodes = new Map<string, ProcessNode>();
  for (const p of stored.processes) nodes.set(p.processId, p);
  for (const p of snapshot.processes) {
    const seen = nodes.get(p.processId);
    nodes.set(p.processId, seen ? withExit(p, seen) : p);
  }
  for (const exit of stored.exits) {
    const node = nodes.get(exit.processId);
    if (node && node.exitedAt === null) {
      nodes.set(exit.processId, {
        ...node,
        exitedAt: exit.exitedAt,
        exitCode: exit.exitCode,
        signal: exit.signal,
      });
    }
  }
  const ordered = [...nodes.values()].sort(
    (a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt) || a.pid - b.pid,
  );
  return {
    storylineId: snapshot.storylineId,
    origin: snapshot.origin,
    threatProcessId,
    nodes: ordered.map((p) => ({ ...p, isThreat: p.processId === threatProcessId })),
  };
}

/** The snapshot's view of a process, with the exit that a later event recorded. */
function withExit(snapshot: ProcessNode, later: ProcessNode): ProcessNode {
  if (snapshot.exitedAt !== null || later.exitedAt === null) return snapshot;
  return { ...snapshot, exitedAt: later.exitedAt, exitCode: later.exitCode, signal: later.signal };
}
