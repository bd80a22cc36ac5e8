import fc from 'fast-check';
import {
  AgentMessage,
  effectiveSettings,
  enforcementMode,
  PolicyDocument,
  PROTOCOL_VERSION,
  ThreatListQuery,
} from './index';

const policy: Pick<PolicyDocument, 'default' | 'overrides'> = {
  default: { enabled: false, mode: 'detect' },
  overrides: [
    { scope: 'cluster', cluster: 'prod', enabled: true, mode: 'detect' },
    { scope: 'namespace', cluster: null, namespace: 'shop', enabled: true, mode: 'protect' },
    { scope: 'namespace', cluster: 'prod', namespace: 'shop', enabled: false, mode: 'protect' },
  ],
};

describe('policy resolution', () => {
  it('uses the default where no override matches', () => {
    expect(effectiveSettings(policy, { cluster: 'dev', namespace: 'web' })).toEqual(policy.default);
  });
  it('prefers a namespace override in the same cluster, then one for all clusters, then the cluster', () => {
    expect(effectiveSettings(policy, { cluster: 'prod', namespace: 'shop' }).enabled).toBe(false);
    expect(effectiveSettings(policy, { cluster: 'dev', namespace: 'shop' })).toEqual({
      enabled: true,
      mode: 'protect',
    });
    expect(effectiveSettings(policy, { cluster: 'prod', namespace: 'web' })).toEqual({
      enabled: true,
      mode: 'detect',
    });
  });
  it('turns a disabled setting into enforcement mode off', () => {
    expect(enforcementMode({ enabled: false, mode: 'protect' })).toBe('off');
    expect(enforcementMode({ enabled: true, mode: 'protect' })).toBe('protect');
  });
});

describe('agent message validation', () => {
  const heartbeat = {
    v: PROTOCOL_VERSION,
    type: 'heartbeat',
    id: 'hb-1',
    seq: 1,
    sentAt: '2026-12-04T10:00:00.000Z',
    stats: {
      eventsSeen: 10,
      eventsDropped: 0,
      threats: 0,
      outboxLength: 0,
      rssBytes: 1000,
      cpuPercent: 0.5,
      containers: 2,
      policyVersion: 3,
    },
  };

  it('accepts a well-formed heartbeat', () => {
    expect(AgentMessage.safeParse(heartbeat).success).toBe(true);
  });

  it('rejects unknown types, other versions and ids with unsafe characters', () => {
    expect(AgentMessage.safeParse({ ...heartbeat, type: 'nope' }).success).toBe(false);
    expect(AgentMessage.safeParse({ ...heartbeat, v: 2 }).success).toBe(false);
    expect(AgentMessage.safeParse({ ...heartbeat, id: "x'; DROP TABLE" }).success).toBe(false);
  });

  it('never throws on arbitrary JSON: every input is either accepted or rejected', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const r = AgentMessage.safeParse(value);
        expect(typeof r.success).toBe('boolean');
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects any mutation of a required stat to a negative number', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('eventsSeen', 'eventsDropped', 'threats', 'outboxLength', 'rssBytes'),
        fc.integer({ max: -1 }),
        (key, n) => {
          const bad = { ...heartbeat, stats: { ...heartbeat.stats, [key]: n } };
          expect(AgentMessage.safeParse(bad).success).toBe(false);
        },
      ),
    );
  });
});

describe('threat list query', () => {
  it('coerces the limit from the query string and caps it', () => {
    expect(ThreatListQuery.parse({ limit: '20' }).limit).toBe(20);
    expect(ThreatListQuery.parse({}).limit).toBe(50);
    expect(ThreatListQuery.safeParse({ limit: '1000' }).success).toBe(false);
  });
});
