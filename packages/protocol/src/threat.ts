import { z } from 'zod';
import { clientId, DriftClass, Engine, isoTime, PolicyMode, sha256Hex } from './common';
import { Storyline } from './process';
import { ContainerInfo, FileInfo, KubernetesInfo } from './workload';

export const MitigationAction = z.enum(['kill', 'quarantine', 'none']);
export type MitigationAction = z.infer<typeof MitigationAction>;

export const MitigationOutcome = z.enum(['succeeded', 'failed', 'skipped']);
export type MitigationOutcome = z.infer<typeof MitigationOutcome>;

/** One thing the agent did about a threat, and how it went. */
export const Mitigation = z.object({
  action: MitigationAction,
  outcome: MitigationOutcome,
  /** Why, in words: `killed in kernel before first instruction`, `detect mode`, an error. */
  detail: z.string().max(2000),
  at: isoTime,
  exitCode: z.number().int().nullable().default(null),
  killedInKernel: z.boolean().default(false),
  quarantineId: clientId.nullable().default(null),
  sha256: sha256Hex.nullable().default(null),
  size: z.number().int().nonnegative().nullable().default(null),
});
export type Mitigation = z.infer<typeof Mitigation>;

/** A drift threat as the agent reports it: everything the forensics view needs travels with it. */
export const ThreatReport = z.object({
  threatId: clientId,
  detectedAt: isoTime,
  engine: Engine,
  driftClass: DriftClass,
  mode: PolicyMode,
  commandLine: z.string().max(8192),
  processId: clientId,
  file: FileInfo,
  mitigations: z.array(Mitigation).max(16),
  container: ContainerInfo.nullable(),
  kubernetes: KubernetesInfo.nullable(),
  storyline: Storyline,
});
export type ThreatReport = z.infer<typeof ThreatReport>;
