import type { Agent, ThreatPage } from '@driftlock/protocol';
import { describe, expect, it } from 'vitest';
import { createQueryClient } from '../../app/providers';
import { threat } from '../../test/fixtures';
import { agentsKey, mergeAgent } from '../agents/queries';
import type { ThreatSearch } from './filters';
import { applyThreatCreated, applyThreatUpdated } from './live-cache';
import { threatKeys } from './queries';

const firstPage: ThreatSearch = { filters: { namespace: 'prod' }, trail: [] };
const laterPage: ThreatSearch = { filters: { namespace: 'prod' }, cursor: 'c1', trail: [''] };

function cacheWith(pages: Array<[ThreatSearch, ThreatPage]>) {
  const client = createQueryClient();
  for (const [search, page] of pages) client.setQueryData(threatKeys.list(search), page);
  return client;
}

describe('live threat events in the cache', () => {
  it('adds a new threat to first pages only, once', () => {
    const old = threat();
    const client = cacheWith([
      [firstPage, { items: [old], nextCursor: 'c1' }],
      [laterPage, { items: [threat()], nextCursor: null }],
    ]);
    const arrived = threat({ namespace: 'prod' });
    applyThreatCreated(client, arrived);
    applyThreatCreated(client, arrived);
    expect(
      client.getQueryData<ThreatPage>(threatKeys.list(firstPage))?.items.map((t) => t.id),
    ).toEqual([arrived.id, old.id]);
    expect(client.getQueryData<ThreatPage>(threatKeys.list(laterPage))?.items).toHaveLength(1);
  });

  it('replaces an updated threat wherever it is shown', () => {
    const shown = threat();
    const client = cacheWith([[firstPage, { items: [shown], nextCursor: null }]]);
    applyThreatUpdated(client, { ...shown, status: 'resolved', verdict: 'true_positive' });
    expect(client.getQueryData<ThreatPage>(threatKeys.list(firstPage))?.items[0]).toMatchObject({
      id: shown.id,
      status: 'resolved',
      verdict: 'true_positive',
    });
  });
});

describe('live agent status in the cache', () => {
  const agent: Agent = {
    id: '00000000-0000-4000-8000-0000000000a9',
    hostname: 'worker-1',
    kind: 'kubernetes',
    cluster: 'prod',
    node: 'worker-1',
    version: '0.1.0',
    kernel: '6.1.0',
    capabilities: { inKernelKill: true, btf: true, runtimes: ['containerd'] },
    status: 'online',
    enrolledAt: '2026-12-04T10:00:00.000Z',
    lastSeenAt: '2026-12-04T12:00:00.000Z',
    policyVersion: 3,
    stats: null,
  };

  it('updates a known agent and adds a new one', () => {
    const client = createQueryClient();
    client.setQueryData<Agent[]>(agentsKey, [agent]);
    mergeAgent(client, { ...agent, status: 'offline' });
    mergeAgent(client, {
      ...agent,
      id: '00000000-0000-4000-8000-0000000000b1',
      hostname: 'worker-2',
    });
    expect(client.getQueryData<Agent[]>(agentsKey)?.map((a) => [a.hostname, a.status])).toEqual([
      ['worker-1', 'offline'],
      ['worker-2', 'online'],
    ]);
  });
});
