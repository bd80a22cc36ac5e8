import type { Mitigation, MitigationSummary } from '@driftlock/protocol';

/** The one word a threat list shows for what the agent did (KILLED + QUARANTINED, ...). */
export function summarizeMitigations(mitigations: Mitigation[]): MitigationSummary {
  const succeeded = (action: Mitigation['action']) =>
    mitigations.some((m) => m.action === action && m.outcome === 'succeeded');
  const killed = succeeded('kill');
  const quarantined = succeeded('quarantine');
  if (killed && quarantined) return 'killed_quarantined';
  if (killed) return 'killed';
  if (quarantined) return 'quarantined';
  if (mitigations.some((m) => m.action !== 'none' && m.outcome === 'failed')) return 'failed';
  return 'detected';
}
