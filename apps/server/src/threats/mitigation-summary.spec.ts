import type { Mitigation } from '@driftlock/protocol';
import { summarizeMitigations } from './mitigation-summary';

function m(action: Mitigation['action'], outcome: Mitigation['outcome']): Mitigation {
  return {
    action,
    outcome,
    detail: '',
    at: '2026-12-04T10:00:00.000Z',
    exitCode: null,
    killedInKernel: false,
    quarantineId: null,
    sha256: null,
    size: null,
  };
}

describe('summarizeMitigations', () => {
  it.each([
    [
      'kill and quarantine succeeded',
      [m('kill', 'succeeded'), m('quarantine', 'succeeded')],
      'killed_quarantined',
    ],
    ['only the kill succeeded', [m('kill', 'succeeded'), m('quarantine', 'failed')], 'killed'],
    ['only the quarantine succeeded', [m('quarantine', 'succeeded')], 'quarantined'],
    ['every action failed', [m('kill', 'failed'), m('quarantine', 'failed')], 'failed'],
    ['detect mode did nothing', [m('none', 'skipped')], 'detected'],
    ['nothing was reported', [], 'detected'],
  ] as const)('says %s', (_name, mitigations, expected) => {
    expect(summarizeMitigations([...mitigations])).toBe(expected);
  });
});
