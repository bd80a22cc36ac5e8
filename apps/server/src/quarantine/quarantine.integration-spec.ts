import { PROTOCOL_VERSION, type QuarantineItem } from '@driftlock/protocol';
import { randomUUID } from 'node:crypto';
import { createTestApp, type TestApp } from '../../test/harness';
import { api, enrolledAgent } from '../../test/fleet-fixtures';
import {
  helloMessage,
  isCommand,
  TestAgent,
  threatMessage,
  threatReport,
} from '../../test/test-agent';

describe('quarantine', () => {
  let t: TestApp;
  let admin: string;
  let viewer: string;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await t.login('admin');
    viewer = await t.login('viewer');
  });
  afterAll(() => t.close());

  async function quarantinedItem(agent: TestAgent, quarantineId: string): Promise<QuarantineItem> {
    await agent.request(threatMessage(agent, threatReport({ quarantineId })));
    const items = await api<QuarantineItem[]>(t.url, viewer, 'GET', '/quarantine');
    const item = items.body.find((i) => i.quarantineId === quarantineId);
    if (!item)
      throw new Error(
        `expected quarantine item ${quarantineId}, got ${JSON.stringify(items.body)}`,
      );
    return item;
  }

  function commandResult(agent: TestAgent, commandId: string, outcome: 'succeeded' | 'failed') {
    return agent.request({
      v: PROTOCOL_VERSION,
      id: randomUUID(),
      seq: agent.nextSeq(),
      sentAt: new Date().toISOString(),
      type: 'command_result',
      commandId,
      outcome,
      detail: outcome === 'succeeded' ? 'restored to /app/minerd' : 'EXDEV moving back',
    });
  }

  it('sends a restore command to the owning agent and records its result', async () => {
    const creds = await enrolledAgent(t.url, admin);
    const agent = await TestAgent.connect(t.url, creds.agentId, creds.secret);
    await agent.request(helloMessage(agent));
    const item = await quarantinedItem(agent, 'q-restore');
    expect(item).toMatchObject({
      status: 'quarantined',
      path: '/app/minerd',
      agentId: creds.agentId,
    });

    const asked = await api<QuarantineItem>(t.url, admin, 'POST', `/quarantine/${item.id}/restore`);
    expect(asked.status).toBe(202);
    expect(asked.body.status).toBe('restore_pending');
    const command = await agent.waitFor(isCommand);
    expect(command).toMatchObject({ command: 'quarantine_restore', quarantineId: 'q-restore' });

    const again = await api(t.url, admin, 'POST', `/quarantine/${item.id}/delete`);
    expect(again.status).toBe(409);

    expect(await commandResult(agent, command.commandId, 'succeeded')).toMatchObject({
      type: 'ack',
    });
    const after = await api<QuarantineItem[]>(t.url, viewer, 'GET', '/quarantine');
    expect(after.body.find((i) => i.id === item.id)).toMatchObject({
      status: 'restored',
      lastDetail: 'restored to /app/minerd',
    });
    await agent.close();
  });

  it('keeps a command for an offline agent and sends it when the agent says hello', async () => {
    const creds = await enrolledAgent(t.url, admin);
    let agent = await TestAgent.connect(t.url, creds.agentId, creds.secret);
    const item = await quarantinedItem(agent, 'q-offline');
    await agent.close();

    const asked = await api<QuarantineItem>(t.url, admin, 'POST', `/quarantine/${item.id}/delete`);
    expect(asked.body.status).toBe('delete_pending');

    agent = await TestAgent.connect(t.url, creds.agentId, creds.secret);
    await agent.request(helloMessage(agent));
    const command = await agent.waitFor(isCommand);
    expect(command).toMatchObject({ command: 'quarantine_delete', quarantineId: 'q-offline' });
    await commandResult(agent, command.commandId, 'failed');
    const after = await api<QuarantineItem[]>(t.url, viewer, 'GET', '/quarantine');
    expect(after.body.find((i) => i.id === item.id)).toMatchObject({
      status: 'command_failed',
      lastDetail: 'EXDEV moving back',
    });
    await agent.close();
  });
});
