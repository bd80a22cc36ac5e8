import type { ProcessNode, Storyline } from '@driftlock/protocol';
import { buildStoryline } from './storyline';

function node(processId: string, parent: string | null, exe: string, second: number): ProcessNode {
  return {
    processId,
    parentProcessId: parent,
    storylineId: 's1',
    pid: second,
    ppid: 0,
    exe,
    args: [exe],
    argsTruncated: false,
    cwd: '/',
    uid: 0,
    user: 'root',
    startedAt: `2026-12-04T10:00:${String(second).padStart(2, '0')}.000Z`,
    exitedAt: null,
    exitCode: null,
    signal: null,
    flags: [],
    containerId: 'c1',
    origin: null,
  };
}

const snapshot: Storyline = {
  storylineId: 's1',
  origin: 'kubectl_exec',
  processes: [node('bash', null, '/bin/bash', 1), node('minerd', 'bash', './minerd', 5)],
};

describe('buildStoryline', () => {
  it('keeps the snapshot tree when no process events were stored', () => {
    const view = buildStoryline(snapshot, { processes: [], exits: [] }, 'minerd');
    expect(view.nodes.map((n) => [n.processId, n.isThreat])).toEqual([
      ['bash', false],
      ['minerd', true],
    ]);
    expect(view.origin).toBe('kubectl_exec');
  });

  it('adds stored siblings in start order and applies stored exits', () => {
    const view = buildStoryline(
      snapshot,
      {
        processes: [
          node('wget', 'bash', '/usr/bin/wget', 2),
          node('chmod', 'bash', '/bin/chmod', 3),
        ],
        exits: [
          { processId: 'minerd', exitedAt: '2026-12-04T10:00:05.001Z', exitCode: 137, signal: 9 },
        ],
      },
      'minerd',
    );
    expect(view.nodes.map((n) => n.processId)).toEqual(['bash', 'wget', 'chmod', 'minerd']);
    const minerd = view.nodes.find((n) => n.processId === 'minerd');
    expect(minerd).toMatchObject({ exitCode: 137, signal: 9, isThreat: true });
  });
});
