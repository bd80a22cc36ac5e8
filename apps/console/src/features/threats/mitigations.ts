import type { Mitigation } from '@driftlock/protocol';

/** What the agent achieved, as the analyst reads it: KILLED (exit 137) and QUARANTINED (sha256). */
export interface MitigationOutcomes {
  killed: Mitigation | undefined;
  quarantined: Mitigation | undefined;
}

export function mitigationOutcomes(mitigations: Mitigation[]): MitigationOutcomes {
  const succeeded = (action: Mitigation['action']) =>
    mitigations.find((m) => m.action === action && m.outcome === 'succeeded');
  return { killed: succeeded('kill'), quarantined: succeeded('quarantine') };
}
