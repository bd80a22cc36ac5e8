import { describe, expect, it } from 'vitest';
import { largeStoryline, referenceStoryline } from '../../test/fixtures';
import {
  COLUMN_WIDTH,
  layoutStoryline,
  linksPath,
  neighbour,
  NODE_HEIGHT,
  nodesInRegion,
  VIRTUAL_ROOT_ID,
} from './layout';

describe('storyline layout', () => {
  it('lays the reference story out left to right: kubectl exec -> bash -> wget, chmod, minerd', () => {
    const layout = layoutStoryline(referenceStoryline());
    const at = (id: string) => layout.byId.get(id);
    expect(layout.nodes.map((n) => n.name)).toEqual(
      expect.arrayContaining(['runc', 'bash', 'wget', 'chmod', 'minerd']),
    );
    expect(at('p-root')?.x).toBe(0);
    expect(at('p-bash')?.x).toBe(COLUMN_WIDTH);
    for (const id of ['p-wget', 'p-chmod', 'p-minerd']) expect(at(id)?.x).toBe(2 * COLUMN_WIDTH);
    // Siblings top to bottom in the order they started.
    expect(at('p-wget')!.y).toBeLessThan(at('p-chmod')!.y);
    expect(at('p-chmod')!.y).toBeLessThan(at('p-minerd')!.y);
    expect(at('p-minerd')?.command).toBe('./minerd');
  });

  it('emphasises exactly the path from the root to the threat', () => {
    const layout = layoutStoryline(referenceStoryline());
    expect(layout.threat?.id).toBe('p-minerd');
    expect([...layout.pathIds].sort()).toEqual(['p-bash', 'p-minerd', 'p-root']);
    expect(
      layout.nodes
        .filter((n) => n.onPath)
        .map((n) => n.id)
        .sort(),
    ).toEqual(['p-bash', 'p-minerd', 'p-root']);
    expect(layout.byId.get('p-wget')?.onPath).toBe(false);
    expect(linksPath(layout, true).match(/M/g)).toHaveLength(2);
    expect(linksPath(layout, false).match(/M/g)).toHaveLength(2);
  });

  it('lays out 2,000 processes quickly, every one placed, none overlapping', () => {
    const view = largeStoryline(2000);
    const started = performance.now();
    const layout = layoutStoryline(view);
    const elapsed = performance.now() - started;
    expect(layout.nodes).toHaveLength(2000);
    expect(elapsed).toBeLessThan(500);
    for (const n of layout.nodes) expect(n.x).toBe(n.depth * COLUMN_WIDTH);
    const columns = new Map<number, number[]>();
    for (const n of layout.nodes) columns.set(n.x, [...(columns.get(n.x) ?? []), n.y]);
    for (const ys of columns.values()) {
      ys.sort((a, b) => a - b);
      for (let i = 1; i < ys.length; i += 1)
        expect(ys[i] - ys[i - 1]).toBeGreaterThanOrEqual(NODE_HEIGHT);
    }
    expect(layout.threat?.name).toBe('xmrig');
    expect(layout.pathIds.size).toBe(3);
  });

  it('draws only the nodes in view, so 2,000 nodes cost what a screenful costs', () => {
    const layout = layoutStoryline(largeStoryline(2000));
    const t = layout.threat!;
    const visible = nodesInRegion(layout.nodes, {
      x0: t.x - 600,
      x1: t.x + 600,
      y0: t.y - 400,
      y1: t.y + 400,
    });
    expect(visible.length).toBeGreaterThan(0);
    expect(visible.length).toBeLessThan(100);
    expect(visible.some((n) => n.id === t.id)).toBe(true);
  });

  it('keeps processes whose parent was not captured, under a virtual root', () => {
    const view = referenceStoryline();
    view.nodes = view.nodes.filter((n) => n.processId !== 'p-root');
    view.nodes.push({ ...view.nodes[1], processId: 'p-orphan', parentProcessId: 'p-gone' });
    const layout = layoutStoryline(view);
    expect(layout.nodes).toHaveLength(view.nodes.length + 1);
    expect(layout.nodes[0].id).toBe(VIRTUAL_ROOT_ID);
    expect(layout.byId.get('p-orphan')?.depth).toBe(1);
    expect(layout.pathIds.has('p-minerd')).toBe(true);
  });

  it('breaks a parent cycle in bad data instead of looping', () => {
    const view = referenceStoryline();
    view.nodes.push(
      { ...view.nodes[1], processId: 'p-a', parentProcessId: 'p-b' },
      { ...view.nodes[1], processId: 'p-b', parentProcessId: 'p-a' },
    );
    const layout = layoutStoryline(view);
    expect(layout.nodes.filter((n) => n.process)).toHaveLength(view.nodes.length);
  });
});

describe('walking the storyline with the arrow keys', () => {
  const layout = layoutStoryline(referenceStoryline());

  it('goes to the parent, the first child and the siblings', () => {
    expect(neighbour(layout, 'p-minerd', 'left')).toBe('p-bash');
    expect(neighbour(layout, 'p-bash', 'right')).toBe('p-wget');
    expect(neighbour(layout, 'p-wget', 'down')).toBe('p-chmod');
    expect(neighbour(layout, 'p-chmod', 'up')).toBe('p-wget');
  });

  it('stops at the edges of the tree', () => {
    expect(neighbour(layout, 'p-root', 'left')).toBeNull();
    expect(neighbour(layout, 'p-minerd', 'right')).toBeNull();
    expect(neighbour(layout, 'p-minerd', 'down')).toBeNull();
    expect(neighbour(layout, 'p-root', 'up')).toBeNull();
  });
});
