import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { PolicyDocument } from '@driftlock/protocol';
import { PolicyState } from './policy-state';

const POLICY: PolicyDocument = {
  version: 3,
  default: { enabled: true, mode: 'detect' },
  overrides: [
    { scope: 'cluster', cluster: 'prod', enabled: true, mode: 'protect' },
    { scope: 'namespace', cluster: null, namespace: 'dev', enabled: false, mode: 'protect' },
  ],
  exceptions: [
    {
      id: '11111111-1111-4111-8111-111111111111',
      sha256: null,
      path: '/usr/local/bin/tool',
      comment: '',
      createdAt: '2026-12-04T10:00:00.000Z',
    },
    {
      id: '22222222-2222-4222-8222-222222222222',
      sha256: 'b'.repeat(64),
      path: null,
      comment: '',
      createdAt: '2026-12-04T10:00:00.000Z',
    },
  ],
};

describe('PolicyState', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'driftlock-policy-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('enforces nothing before any policy arrived', () => {
    expect(new PolicyState(path.join(dir, 'policy.json'), 'prod').modeFor('shop')).toBe('off');
  });

  it('resolves a container mode from its cluster and namespace', () => {
    const prod = new PolicyState(path.join(dir, 'policy.json'), 'prod');
    prod.update(POLICY);
    expect([prod.modeFor('shop'), prod.modeFor('dev'), prod.modeFor(null)]).toEqual([
      'protect',
      'off',
      'protect',
    ]);
    const staging = new PolicyState(path.join(dir, 'other.json'), 'staging');
    staging.update(POLICY);
    expect(staging.modeFor('shop')).toBe('detect');
  });

  it('keeps the last policy on disk for the next start, and ignores an older one', () => {
    const file = path.join(dir, 'policy.json');
    new PolicyState(file, 'prod').update(POLICY);
    const restarted = new PolicyState(file, 'prod');
    expect(restarted.load()?.version).toBe(3);
    expect(
      restarted.update({ ...POLICY, version: 2, default: { enabled: false, mode: 'detect' } }),
    ).toBe(false);
    expect(restarted.version).toBe(3);
  });

  it('finds exceptions by container path or by content hash', () => {
    const state = new PolicyState(path.join(dir, 'policy.json'), 'prod');
    state.update(POLICY);
    expect(state.exceptionFor('/usr/local/bin/tool', null)?.id).toBe(POLICY.exceptions[0].id);
    expect(state.exceptionFor('/tmp/x', 'b'.repeat(64))?.id).toBe(POLICY.exceptions[1].id);
    expect(state.exceptionFor('/tmp/x', 'c'.repeat(64))).toBeNull();
    expect(state.hasContentExceptions).toBe(true);
  });
});
