import type { StorylineNode, StorylineView } from '@driftlock/protocol';
import { hierarchy, tree, type HierarchyPointNode } from 'd3-hierarchy';

/** Horizontal distance between depths and vertical distance between siblings, in layout units. */
export const COLUMN_WIDTH = 250;
export const ROW_HEIGHT = 34;
export const NODE_WIDTH = 210;
export const NODE_HEIGHT = 26;

/** Extra rows of space around the threat node, for its marks. */
const THREAT_MARKS_ROWS = 0.6;

export const VIRTUAL_ROOT_ID = '__storyline_root__';

export interface LaidOutNode {
  id: string;
  /** null for the virtual root that joins several roots (a storyline whose root was not captured). */
  process: StorylineNode | null;
  parentId: string | null;
  depth: number;
  /** Centre of the node: x grows with depth (left to right), y spreads siblings. */
  x: number;
  y: number;
  name: string;
  command: string;
  isThreat: boolean;
  /** On the path from the root to the threat. */
  onPath: boolean;
}

export interface StorylineLayout {
  nodes: LaidOutNode[];
  byId: ReadonlyMap<string, LaidOutNode>;
  /** Children of each node, top to bottom. */
  childrenOf: ReadonlyMap<string, readonly string[]>;
  threat: LaidOutNode | null;
  pathIds: ReadonlySet<string>;
  bounds: { minX: number; maxX: number; minY: number; maxY: number };
}

interface TreeDatum {
  id: string;
  process: StorylineNode | null;
  children: TreeDatum[];
}

export function processName(p: Pick<StorylineNode, 'exe' | 'args'>): string {
  const path = p.exe || p.args[0] || '?';
  return path.slice(path.lastIndexOf('/') + 1) || path;
}

export function commandLine(p: Pick<StorylineNode, 'args' | 'argsTruncated' | 'exe'>): string {
  const line = p.args.length ? p.args.join(' ') : p.exe;
  return p.argsTruncated ? `${line} …` : line;
}

export function shortCommand(line: string, max = 32): string {
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}

const originLabels: Record<string, string> = {
  kubectl_exec: 'kubectl exec',
  docker_exec: 'docker exec',
  container_start: 'container start',
  host: 'host',
  unknown: 'storyline',
};

export function originLabel(origin: string | null | undefined): string {
  return origin ? (originLabels[origin] ?? origin) : '';
}

/**
 * Lays the storyline out as a tree from its root, left to right, siblings in start order, and marks
 * the path from the root to the threat. Processes whose parent was not captured hang off a virtual
 * root so that nothing the agent sent is dropped; a cycle in bad data is broken, not followed.
 */
export function layoutStoryline(view: StorylineView): StorylineLayout {
  const processes = new Map(view.nodes.map((n) => [n.processId, n]));
  const children = new Map<string, StorylineNode[]>();
  const roots: StorylineNode[] = [];
  for (const n of view.nodes) {
    const parent = n.parentProcessId;
    if (parent && parent !== n.processId && processes.has(parent)) {
      const list = children.get(parent);
      if (list) list.push(n);
      else children.set(parent, [n]);
    } else {
      roots.push(n);
    }
  }
  const byStart = (a: StorylineNode, b: StorylineNode) =>
    a.startedAt < b.startedAt ? -1 : a.startedAt > b.startedAt ? 1 : a.pid - b.pid;
  for (const list of children.values()) list.sort(byStart);
  roots.sort(byStart);

  const visited = new Set<string>();
  const build = (start: StorylineNode): TreeDatum => {
    const top: TreeDatum = { id: start.processId, process: start, children: [] };
    visited.add(start.processId);
    const stack: TreeDatum[] = [top];
    while (stack.length) {
      const datum = stack.pop() as TreeDatum;
      for (const child of children.get(datum.id) ?? []) {
        if (visited.has(child.processId)) continue;
        visited.add(child.processId);
        const c: TreeDatum = { id: child.processId, process: child, children: [] };
        datum.children.push(c);
        stack.push(c);
      }
    }
    return top;
  };
  const trees = roots.map(build);
  // Processes only reachable through a cycle: keep them, under the virtual root.
  for (const n of [...view.nodes].sort(byStart))
    if (!visited.has(n.processId)) trees.push(build(n));

  const rootDatum: TreeDatum =
    trees.length === 1 ? trees[0] : { id: VIRTUAL_ROOT_ID, process: null, children: trees };

  const threatId =
    view.nodes.find((n) => n.processId === view.threatProcessId)?.processId ??
    view.nodes.find((n) => n.isThreat)?.processId ??
    null;

  // The threat node carries its KILLED / QUARANTINED marks below it: the row after it moves down.
  const root = tree<TreeDatum>()
    .nodeSize([ROW_HEIGHT, COLUMN_WIDTH])
    .separation((a, b) => {
      const base = a.parent === b.parent ? 1 : 1.25;
      return a.data.id === threatId || b.data.id === threatId ? base + THREAT_MARKS_ROWS : base;
    })(hierarchy(rootDatum, (d) => d.children));

  const pathIds = new Set<string>();
  const all: HierarchyPointNode<TreeDatum>[] = root.descendants();
  const threatPoint = threatId ? all.find((d) => d.data.id === threatId) : undefined;
  for (let p = threatPoint; p; p = p.parent ?? undefined) pathIds.add(p.data.id);

  const nodes: LaidOutNode[] = all.map((d) => {
    const process = d.data.process;
    return {
      id: d.data.id,
      process,
      parentId: d.parent?.data.id ?? null,
      depth: d.depth,
      x: d.y,
      y: d.x,
      name: process ? processName(process) : originLabel(view.origin) || 'storyline',
      command: process ? commandLine(process) : `${view.nodes.length} processes`,
      isThreat: d.data.id === threatId,
      onPath: pathIds.has(d.data.id),
    };
  });
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const childrenOf = new Map<string, string[]>();
  for (const n of nodes) {
    if (!n.parentId) continue;
    const list = childrenOf.get(n.parentId);
    if (list) list.push(n.id);
    else childrenOf.set(n.parentId, [n.id]);
  }
  let minX = Infinity;
  let maxX = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  for (const n of nodes) {
    minX = Math.min(minX, n.x);
    maxX = Math.max(maxX, n.x);
    minY = Math.min(minY, n.y);
    maxY = Math.max(maxY, n.y);
  }
  return {
    nodes,
    byId,
    childrenOf,
    threat: threatId ? (byId.get(threatId) ?? null) : null,
    pathIds,
    bounds: nodes.length ? { minX, maxX, minY, maxY } : { minX: 0, maxX: 0, minY: 0, maxY: 0 },
  };
}

/** The nodes whose box intersects a rectangle of the layout: only these are drawn. */
export function nodesInRegion(
  nodes: readonly LaidOutNode[],
  region: { x0: number; y0: number; x1: number; y1: number },
): LaidOutNode[] {
  return nodes.filter(
    (n) =>
      n.x + NODE_WIDTH / 2 >= region.x0 &&
      n.x - NODE_WIDTH / 2 <= region.x1 &&
      n.y + NODE_HEIGHT / 2 >= region.y0 &&
      n.y - NODE_HEIGHT / 2 <= region.y1,
  );
}

/** One SVG path for many links: a single DOM node however large the tree. */
export function linksPath(layout: StorylineLayout, onPath: boolean): string {
  const parts: string[] = [];
  for (const n of layout.nodes) {
    if (!n.parentId || n.onPath !== onPath) continue;
    const parent = layout.byId.get(n.parentId);
    if (!parent) continue;
    const x0 = parent.x + NODE_WIDTH / 2;
    const x1 = n.x - NODE_WIDTH / 2;
    const mid = (x0 + x1) / 2;
    parts.push(`M${x0},${parent.y}C${mid},${parent.y} ${mid},${n.y} ${x1},${n.y}`);
  }
  return parts.join('');
}

/** Where the arrow keys lead from a node: parent (left), first child (right), siblings (up, down). */
export function neighbour(
  layout: StorylineLayout,
  id: string,
  direction: 'left' | 'right' | 'up' | 'down',
): string | null {
  const node = layout.byId.get(id);
  if (!node) return null;
  if (direction === 'left') return node.parentId;
  if (direction === 'right') return layout.childrenOf.get(id)?.[0] ?? null;
  const siblings = node.parentId ? (layout.childrenOf.get(node.parentId) ?? []) : [id];
  const at = siblings.indexOf(id) + (direction === 'down' ? 1 : -1);
  return siblings[at] ?? null;
}
