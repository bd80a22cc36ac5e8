import type {
  BulkUpdateThreatsResult,
  StorylineView,
  ThreatDetail,
  ThreatPage,
  ThreatStats,
  ThreatSummary,
} from '@driftlock/protocol';
import { createTestApp, type TestApp } from '../../test/harness';
import { api, enrolledAgent } from '../../test/fleet-fixtures';
import {
  execEvent,
  helloMessage,
  processEventsMessage,
  TestAgent,
  threatMessage,
  threatReport,
  type ThreatOptions,
} from '../../test/test-agent';

const SAME_SECOND = '2026-12-01T10:00:00.000001Z';
const seeds: (ThreatOptions & { threatId: string })[] = [
  {
    threatId: 't1',
    namespace: 'payments',
    podName: 'pay-api-1',
    image: 'registry/pay:1',
    detectedAt: '2026-12-01T09:00:00.000Z',
  },
  {
    threatId: 't2',
    namespace: 'payments',
    podName: 'pay-api-2',
    image: 'registry/pay:1',
    detectedAt: SAME_SECOND,
  },
  {
    threatId: 't3',
    namespace: 'payments',
    podName: 'pay-worker',
    image: 'registry/pay:2',
    detectedAt: SAME_SECOND,
  },
  {
    threatId: 't4',
    namespace: 'web',
    podName: 'node-web-app-1',
    image: 'registry/web:3',
    detectedAt: SAME_SECOND,
    commandLine: 'python3 /tmp/x.py',
  },
  {
    threatId: 't5',
    namespace: 'web',
    podName: 'node-web-app-2',
    image: 'registry/web:3',
    detectedAt: '2026-12-02T08:00:00.000Z',
  },
];

describe('threats', () => {
  let t: TestApp;
  let viewer: string;
  let analyst: string;
  let agentId: string;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestApp();
    viewer = await t.login('viewer');
    analyst = await t.login('analyst');
    const creds = await enrolledAgent(t.url, await t.login('admin'), 'threat-node');
    agentId = creds.agentId;
    const agent = await TestAgent.connect(t.url, creds.agentId, creds.secret);
    await agent.request(helloMessage(agent));
    for (const seed of seeds) {
      const ack = await agent.request(threatMessage(agent, threatReport(seed)));
      expect(ack.type).toBe('ack');
    }
    // Later telemetry of the reference storyline: the wget and chmod before ./minerd, its exit.
    await agent.request(
      processEventsMessage(agent, [
        execEvent('p-wget', 'p-bash', '/usr/bin/wget', 'story-1', '2026-12-01T09:00:00.100Z'),
        execEvent('p-chmod', 'p-bash', '/bin/chmod', 'story-1', '2026-12-01T09:00:00.200Z'),
        {
          kind: 'exit',
          eventId: 'exit-minerd',
          processId: 'p-minerd',
          storylineId: 'story-1',
          exitedAt: '2026-12-01T09:00:01.000Z',
          exitCode: 137,
          signal: 9,
        },
      ]),
    );
    await agent.close();
    const rows: { id: string; agent_threat_id: string }[] = await t.db.query(
      `SELECT id, agent_threat_id FROM threats`,
    );
    for (const r of rows) ids[r.agent_threat_id] = r.id;
  });
  afterAll(() => t.close());

  const list = async (query: string) => {
    const res = await api<ThreatPage>(t.url, viewer, 'GET', `/threats?${query}`);
    expect(res.status).toBe(200);
    return res.body;
  };
  const agentIds = (items: ThreatSummary[]) =>
    items.map((i) => Object.keys(ids).find((k) => ids[k] === i.id));

  it('lists newest first with the fields the table shows', async () => {
    const page = await list('');
    expect(agentIds(page.items)[0]).toBe('t5');
    expect(page.items[0]).toMatchObject({
      commandLine: './minerd',
      engine: 'application_control',
      mitigation: 'killed_quarantined',
      namespace: 'web',
      podName: 'node-web-app-2',
      hostname: 'node-1',
      status: 'unresolved',
      verdict: null,
    });
  });

  it.each([
    ['namespace=payments', ['t3', 't2', 't1']],
    ['pod=web-app-1', ['t4']],
    ['image=pay%3A2', ['t3']],
    ['q=x.py', ['t4']],
    ['from=2026-12-01T10:00:00Z&to=2026-12-02T00:00:00Z', ['t4', 't3', 't2']],
    ['driftClass=fileless', []],
  ])('filters by %s', async (query, expected) => {
    const page = await list(query);
    expect(agentIds(page.items).sort()).toEqual([...expected].sort());
  });

  it('filters by agent', async () => {
    expect((await list(`agentId=${agentId}`)).items).toHaveLength(5);
    expect((await list('agentId=00000000-0000-4000-8000-000000000000')).items).toHaveLength(0);
  });

  it('pages with a keyset cursor without skipping or repeating rows that share a timestamp', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: ThreatPage = await list(`limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor;
    } while (cursor);
    const all = (await list('limit=200')).items.map((i) => i.id);
    expect(seen).toEqual(all);
    expect(new Set(seen).size).toBe(5);
  });

  it('refuses a forged cursor with a 400', async () => {
    const res = await api(t.url, viewer, 'GET', '/threats?cursor=bm9wZQ');
    expect(res.status).toBe(400);
  });

  it('records status, verdict and notes with who and when', async () => {
    const res = await api<ThreatDetail>(t.url, analyst, 'PATCH', `/threats/${ids.t1}`, {
      status: 'in_progress',
      verdict: 'true_positive',
      note: 'miner from a compromised CI token',
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'in_progress', verdict: 'true_positive' });
    expect(res.body.notes).toEqual([
      expect.objectContaining({
        by: 'analyst@test.driftlock',
        text: 'miner from a compromised CI token',
      }),
    ]);
    expect(res.body.history.map((h) => [h.field, h.from, h.to, h.by])).toEqual([
      ['status', 'unresolved', 'in_progress', 'analyst@test.driftlock'],
      ['verdict', null, 'true_positive', 'analyst@test.driftlock'],
    ]);
    const viewerTry = await api(t.url, viewer, 'PATCH', `/threats/${ids.t1}`, {
      status: 'resolved',
    });
    expect(viewerTry.status).toBe(403);
  });

  it('returns every forensics field in the detail', async () => {
    const res = await api<ThreatDetail>(t.url, viewer, 'GET', `/threats/${ids.t5}`);
    expect(res.body).toMatchObject({
      agentThreatId: 't5',
      file: { path: '/app/minerd', size: 1234, sha256: 'a'.repeat(64) },
      container: { id: 'c0ffee', image: 'registry/web:3' },
      kubernetes: { podName: 'node-web-app-2', podLabels: { app: 'node-web-app' }, node: 'node-1' },
      storylineId: 'story-1',
      processId: 'p-minerd',
    });
    expect(res.body.mitigations.map((m) => m.action)).toEqual(['kill', 'quarantine']);
    expect(
      (await api(t.url, viewer, 'GET', '/threats/00000000-0000-4000-8000-000000000000')).status,
    ).toBe(404);
  });

  it('sets the status of many threats at once, counting only real changes', async () => {
    const res = await api<BulkUpdateThreatsResult>(t.url, analyst, 'POST', '/threats/bulk-status', {
      ids: [ids.t2, ids.t3, ids.t1],
      status: 'in_progress',
    });
    expect(res.body).toEqual({ updated: 2 });
    expect(agentIds((await list('status=in_progress')).items).sort()).toEqual(['t1', 't2', 't3']);
  });

  it('counts threats for the dashboard', async () => {
    const res = await api<ThreatStats>(t.url, viewer, 'GET', '/threats/stats');
    expect(res.body).toMatchObject({ total: 5, unresolved: 2 });
    expect(res.body.topNamespaces).toEqual([
      { key: 'payments', count: 3 },
      { key: 'web', count: 2 },
    ]);
    expect(res.body.topDriftClasses).toEqual([{ key: 'new_binary', count: 5 }]);
    expect(res.body.perDay).toHaveLength(14);
  });

  it('builds the storyline from the snapshot and the stored process events', async () => {
    const res = await api<StorylineView>(t.url, viewer, 'GET', `/threats/${ids.t1}/storyline`);
    expect(res.body.origin).toBe('kubectl_exec');
    const byId = Object.fromEntries(res.body.nodes.map((n) => [n.processId, n]));
    expect(Object.keys(byId).sort()).toEqual(['p-bash', 'p-chmod', 'p-minerd', 'p-wget']);
    expect(byId['p-minerd']).toMatchObject({
      isThreat: true,
      exitCode: 137,
      parentProcessId: 'p-bash',
    });
    expect(byId['p-wget']).toMatchObject({ isThreat: false, parentProcessId: 'p-bash' });
  });
});
