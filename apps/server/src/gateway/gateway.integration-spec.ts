import { MAX_FRAME_BYTES, PROTOCOL_VERSION, type AgentMessage } from '@driftlock/protocol';
import { randomUUID } from 'node:crypto';
import { register } from 'prom-client';
import { WebSocket } from 'ws';
import { createTestApp, type TestApp } from '../../test/harness';
import { api, enrolledAgent } from '../../test/fleet-fixtures';
import {
  execEvent,
  heartbeatMessage,
  helloMessage,
  isError,
  isPolicy,
  processEventsMessage,
  TestAgent,
  threatMessage,
  threatReport,
} from '../../test/test-agent';

/** Row counts of every table an agent message can write to. */
async function storedCounts(t: TestApp): Promise<Record<string, number>> {
  const tables = [
    'agent_messages',
    'process_events',
    'threats',
    'quarantine_items',
    'webhook_deliveries',
  ];
  const counts: Record<string, number> = {};
  for (const table of tables) {
    const [row] = await t.db.query(`SELECT count(*)::int AS n FROM ${table}`);
    counts[table] = row.n;
  }
  return counts;
}

async function rejectedCount(reason: string): Promise<number> {
  const metric = await register.getSingleMetric('driftlock_agent_frames_rejected_total')?.get();
  return metric?.values.find((v) => v.labels.reason === reason)?.value ?? 0;
}

describe('agent gateway', () => {
  let t: TestApp;
  let admin: string;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await t.login('admin');
  });
  afterAll(() => t.close());

  describe('authentication', () => {
    it('accepts an agent with its secret and answers its hello with the policy', async () => {
      const creds = await enrolledAgent(t.url, admin);
      const agent = await TestAgent.connect(t.url, creds.agentId, creds.secret);
      const answer = await agent.request(helloMessage(agent));
      expect(answer).toMatchObject({ type: 'ack', duplicate: false });
      const policy = await agent.waitFor(isPolicy);
      expect(policy.policy.version).toBeGreaterThanOrEqual(1);
      await agent.close();
    });

    it('refuses a wrong secret with 401 before the upgrade', async () => {
      const creds = await enrolledAgent(t.url, admin);
      await expect(TestAgent.connect(t.url, creds.agentId, 'dla_wrong')).rejects.toThrow(
        'HTTP 401',
      );
      await expect(TestAgent.connect(t.url, randomUUID(), creds.secret)).rejects.toThrow(
        'HTTP 401',
      );
    });

    it('refuses a WebSocket upgrade on any other path with 404', async () => {
      const ws = new WebSocket(`${t.url.replace(/^http/, 'ws')}/elsewhere`);
      ws.on('error', () => undefined);
      const status = await new Promise<number | undefined>((resolve) => {
        ws.once('unexpected-response', (req, res) => {
          resolve(res.statusCode);
          req.destroy();
        });
        ws.once('open', () => {
          resolve(101);
          ws.close();
        });
      });
      expect(status).toBe(404);
    });

    it('refuses a decommissioned agent with 403 and closes its open socket', async () => {
      const creds = await enrolledAgent(t.url, admin);
      const agent = await TestAgent.connect(t.url, creds.agentId, creds.secret);
      await agent.request(helloMessage(agent));
      const res = await api(t.url, admin, 'POST', `/agents/${creds.agentId}/decommission`);
      expect(res.status).toBe(200);
      expect(await agent.closedWithin()).toBe(4403);
      await expect(TestAgent.connect(t.url, creds.agentId, creds.secret)).rejects.toThrow(
        'HTTP 403',
      );
    });
  });

  describe('storage', () => {
    let agent: TestAgent;
    let agentId: string;

    beforeAll(async () => {
      const creds = await enrolledAgent(t.url, admin, 'storage-node');
      agentId = creds.agentId;
      agent = await TestAgent.connect(t.url, creds.agentId, creds.secret);
      await agent.request(helloMessage(agent));
    });
    afterAll(() => agent.close());

    it('stores hello and heartbeat as the agent state', async () => {
      expect(await agent.request(heartbeatMessage(agent))).toMatchObject({ type: 'ack' });
      const [row] = await t.db.query(
        `SELECT hostname, capabilities, stats, kernel FROM agents WHERE id = $1`,
        [agentId],
      );
      expect(row).toMatchObject({
        hostname: 'node-1',
        kernel: '6.1.0-test',
        capabilities: { inKernelKill: true },
        stats: { containers: 3, rssBytes: 50_000_000 },
      });
    });

    it('stores a process event batch with every field', async () => {
      const exec = execEvent('p-wget', 'p-bash', '/usr/bin/wget', 'story-store');
      const msg = processEventsMessage(agent, [
        exec,
        {
          kind: 'exit',
          eventId: 'exit-1',
          processId: 'p-wget',
          storylineId: 'story-store',
          exitedAt: new Date().toISOString(),
          exitCode: 0,
          signal: null,
        },
      ]);
      expect(await agent.request(msg)).toMatchObject({ type: 'ack', duplicate: false });
      const rows = await t.db.query(
        `SELECT kind, exe, args, username, container_id, exit_code FROM process_events
          WHERE agent_id = $1 AND storyline_id = 'story-store' ORDER BY kind`,
        [agentId],
      );
      expect(rows).toEqual([
        {
          kind: 'exec',
          exe: '/usr/bin/wget',
          args: ['/usr/bin/wget'],
          username: 'root',
          container_id: 'c0ffee',
          exit_code: null,
        },
        { kind: 'exit', exe: null, args: null, username: null, container_id: null, exit_code: 0 },
      ]);
    });

    it('stores a threat with its quarantined file, and a later mitigation result', async () => {
      const report = threatReport({ quarantineId: null });
      expect(await agent.request(threatMessage(agent, report))).toMatchObject({ type: 'ack' });
      const mitigation: AgentMessage = {
        v: PROTOCOL_VERSION,
        id: randomUUID(),
        seq: agent.nextSeq(),
        sentAt: new Date().toISOString(),
        type: 'mitigation_result',
        threatId: report.threatId,
        mitigation: {
          action: 'quarantine',
          outcome: 'succeeded',
          detail: 'moved',
          at: new Date().toISOString(),
          exitCode: null,
          killedInKernel: false,
          quarantineId: 'q-later',
          sha256: 'b'.repeat(64),
          size: 99,
        },
      };
      expect(await agent.request(mitigation)).toMatchObject({ type: 'ack' });
      const [threat] = await t.db.query(
        `SELECT id, mitigation, pod_name, namespace, image, jsonb_array_length(mitigations) AS n
           FROM threats WHERE agent_id = $1 AND agent_threat_id = $2`,
        [agentId, report.threatId],
      );
      expect(threat).toMatchObject({
        mitigation: 'killed_quarantined',
        pod_name: 'node-web-app-7d9f',
        namespace: 'default',
        n: 2,
      });
      const [item] = await t.db.query(
        `SELECT threat_id, path, sha256, size, status FROM quarantine_items WHERE quarantine_id = 'q-later'`,
      );
      expect(item).toEqual({
        threat_id: threat.id,
        path: '/app/minerd',
        sha256: 'b'.repeat(64),
        size: '99',
        status: 'quarantined',
      });
    });

    it('records policy_applied as the version the agent runs', async () => {
      const msg: AgentMessage = {
        v: PROTOCOL_VERSION,
        id: randomUUID(),
        seq: agent.nextSeq(),
        sentAt: new Date().toISOString(),
        type: 'policy_applied',
        version: 1,
      };
      expect(await agent.request(msg)).toMatchObject({ type: 'ack' });
      const [row] = await t.db.query(`SELECT policy_version FROM agents WHERE id = $1`, [agentId]);
      expect(row.policy_version).toBe(1);
    });

    it('stores the same message twice only once and says the second was a duplicate', async () => {
      const batch = processEventsMessage(agent, [execEvent('p-dup', null, '/bin/sh', 'story-dup')]);
      const threat = threatMessage(agent, threatReport());
      expect(await agent.request(batch)).toMatchObject({ type: 'ack', duplicate: false });
      expect(await agent.request(threat)).toMatchObject({ type: 'ack', duplicate: false });
      const before = await storedCounts(t);
      expect(await agent.request({ ...batch, seq: agent.nextSeq() })).toMatchObject({
        type: 'ack',
        duplicate: true,
      });
      expect(await agent.request({ ...threat, seq: agent.nextSeq() })).toMatchObject({
        type: 'ack',
        duplicate: true,
      });
      // The same threat under a new message id (an agent that lost its outbox index) is one threat.
      expect(
        await agent.request({ ...threat, id: randomUUID(), seq: agent.nextSeq() }),
      ).toMatchObject({ type: 'ack' });
      const after = await storedCounts(t);
      expect({ ...after, agent_messages: before.agent_messages }).toEqual(before);
    });

    it('rejects malformed frames with an error frame, counts them and stores nothing', async () => {
      const before = await storedCounts(t);
      const jsonBefore = await rejectedCount('json');
      const schemaBefore = await rejectedCount('schema');

      agent.sendRaw('{not json');
      const notJson = await agent.waitFor(
        (f): f is Extract<typeof f, { type: 'error' }> =>
          isError(f) && f.message.startsWith('not JSON'),
      );
      expect(notJson).toMatchObject({ code: 'invalid_frame', ref: null });

      const bad = processEventsMessage(agent, [execEvent('p-bad', null, '/bin/sh', 'story-bad')]);
      const broken = { ...bad, events: [{ kind: 'exec', eventId: 'x' }] };
      agent.sendRaw(JSON.stringify(broken));
      const invalid = await agent.waitFor(
        (f): f is Extract<typeof f, { type: 'error' }> => isError(f) && f.ref === bad.id,
      );
      expect(invalid.code).toBe('invalid_frame');
      expect(invalid.message).toContain('events.0');

      expect(await storedCounts(t)).toEqual(before);
      expect(await rejectedCount('json')).toBe(jsonBefore + 1);
      expect(await rejectedCount('schema')).toBe(schemaBefore + 1);
    });

    it('refuses an oversized frame by closing with 1009, storing nothing', async () => {
      const creds = await enrolledAgent(t.url, admin, 'big-sender');
      const big = await TestAgent.connect(t.url, creds.agentId, creds.secret);
      const before = await storedCounts(t);
      const tooLargeBefore = await rejectedCount('frame_too_large');
      const events = Array.from({ length: 400 }, (_, i) => {
        const e = execEvent(`p-big-${i}`, null, '/bin/' + 'x'.repeat(3000), 'story-big');
        return e;
      });
      const msg = processEventsMessage(big, events);
      const frame = JSON.stringify(msg);
      expect(frame.length).toBeGreaterThan(MAX_FRAME_BYTES);
      big.sendRaw(frame);
      expect(await big.closedWithin()).toBe(1009);
      expect(await storedCounts(t)).toEqual(before);
      expect(await rejectedCount('frame_too_large')).toBe(tooLargeBefore + 1);
    });
  });

  describe('isolation between agents', () => {
    it("refuses a result for another agent's command or threat, storing nothing", async () => {
      const victim = await enrolledAgent(t.url, admin, 'victim');
      const attacker = await enrolledAgent(t.url, admin, 'attacker');
      const v = await TestAgent.connect(t.url, victim.agentId, victim.secret);
      const report = threatReport({ quarantineId: 'q-victim' });
      await v.request(threatMessage(v, report));
      const [item] = await t.db.query(
        `SELECT id FROM quarantine_items WHERE quarantine_id = 'q-victim'`,
      );
      const restore = await api(t.url, admin, 'POST', `/quarantine/${item.id}/restore`);
      expect(restore.status).toBe(202);
      const [command] = await t.db.query(
        `SELECT id FROM agent_commands WHERE quarantine_item_id = $1`,
        [item.id],
      );

      const a = await TestAgent.connect(t.url, attacker.agentId, attacker.secret);
      const before = await storedCounts(t);
      const forged = await a.request({
        v: PROTOCOL_VERSION,
        id: randomUUID(),
        seq: a.nextSeq(),
        sentAt: new Date().toISOString(),
        type: 'command_result',
        commandId: command.id,
        outcome: 'succeeded',
        detail: 'restored (not really)',
      });
      expect(forged).toMatchObject({ type: 'error', code: 'invalid_frame' });
      expect(forged.type === 'error' && forged.message).toContain('was not sent to this agent');
      const stolen = await a.request({
        v: PROTOCOL_VERSION,
        id: randomUUID(),
        seq: a.nextSeq(),
        sentAt: new Date().toISOString(),
        type: 'mitigation_result',
        threatId: report.threatId,
        mitigation: report.mitigations[0],
      });
      expect(stolen).toMatchObject({ type: 'error', code: 'invalid_frame' });
      expect(await storedCounts(t)).toEqual(before);
      const [still] = await t.db.query(`SELECT status FROM quarantine_items WHERE id = $1`, [
        item.id,
      ]);
      expect(still.status).toBe('restore_pending');
      await Promise.all([v.close(), a.close()]);
    });
  });
});
