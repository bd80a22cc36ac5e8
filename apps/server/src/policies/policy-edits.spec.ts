import type { PolicyDocument } from '@driftlock/protocol';
import {
  deleteException,
  deleteOverride,
  PolicyEditError,
  putOverride,
  setDefault,
} from './policy-edits';

const base: PolicyDocument = {
  version: 3,
  default: { enabled: true, mode: 'protect' },
  overrides: [
    { scope: 'cluster', cluster: 'prod', enabled: true, mode: 'detect' },
    { scope: 'namespace', cluster: 'prod', namespace: 'web', enabled: false, mode: 'protect' },
    { scope: 'namespace', cluster: null, namespace: 'web', enabled: true, mode: 'detect' },
  ],
  exceptions: [],
};

describe('policy edits', () => {
  it('describes the one-click toggle in words for the history', () => {
    expect(setDefault({ enabled: false, mode: 'protect' }).summary).toBe('default set to off');
    expect(setDefault({ enabled: true, mode: 'detect' }).summary).toBe('default set to on, detect');
  });

  it('replaces the override of the same scope only', () => {
    const edit = putOverride({
      scope: 'namespace',
      cluster: null,
      namespace: 'web',
      enabled: false,
      mode: 'detect',
    });
    const next = edit.apply(base);
    expect(next.overrides).toHaveLength(3);
    expect(next.overrides[2]).toEqual({
      scope: 'namespace',
      cluster: null,
      namespace: 'web',
      enabled: false,
      mode: 'detect',
    });
    expect(next.overrides[1]).toEqual(base.overrides[1]);
    expect(edit.summary).toBe('namespace web set to off');
  });

  it('removes a namespace override of one cluster without touching the all-clusters one', () => {
    const next = deleteOverride({ scope: 'namespace', cluster: 'prod', namespace: 'web' }).apply(
      base,
    );
    expect(next.overrides).toEqual([base.overrides[0], base.overrides[2]]);
  });

  it('says which override or exception is missing', () => {
    expect(() => deleteOverride({ scope: 'cluster', cluster: 'staging' }).apply(base)).toThrow(
      new PolicyEditError('policy has no override for cluster staging', 'not_found'),
    );
    expect(() => deleteException('0b7f0f5e-8f43-4a1e-9c1a-2f0c8f7d9e10').apply(base)).toThrow(
      PolicyEditError,
    );
  });
});
