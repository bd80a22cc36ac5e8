import type { ThreatReport } from '@driftlock/protocol';

/** A complete threat as the agent reports one, numbered so tests can check order. */
export function sampleThreat(n: number): ThreatReport {
  const at = new Date(1_767_000_000_000 + n * 1000).toISOString();
  const process = {
    processId: `p-${n}`,
    parentProcessId: null,
    storylineId: `s-${n}`,
    pid: 1000 + n,
    ppid: 1,
    exe: '/tmp/minerd',
    args: ['./minerd'],
    argsTruncated: false,
    cwd: '/tmp',
    uid: 0,
    user: null,
    startedAt: at,
    exitedAt: null,
    exitCode: null,
    signal: null,
    flags: ['upper_layer', 'killed_in_kernel'],
    containerId: 'c'.repeat(64),
    origin: 'kubectl_exec' as const,
  };
  return {
    threatId: `threat-${n}`,
    detectedAt: at,
    engine: 'application_control',
    driftClass: 'new_binary',
    mode: 'protect',
    commandLine: './minerd',
    processId: process.processId,
    file: { path: '/tmp/minerd', size: 10, sha256: 'a'.repeat(64) },
    mitigations: [],
    container: null,
    kubernetes: null,
    storyline: { storylineId: process.storylineId, origin: 'kubectl_exec', processes: [process] },
  };
}
