import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import { CriError } from '@driftlock/cri';
import { startCluster, Cluster } from './cluster';
import { FileServer, freeLoopbackPort, serveFiles } from './file-server';
import { cgroupPaths, containerHostPids, containerInitPid, rootOverlay } from './host';
import { buildFixtures, FILE_SERVER_PORT } from './images';
import { Pod, removePod, runPod } from './pods';

const DIR = '/var/lib/driftlock-test/spec-pods';

let cluster: Cluster;
let files: FileServer;
let pod: Pod;
let appId: string;
let webPort: number;

/** GET with retries while the server may still be binding its port. */
async function httpGet(url: string, attempts = 20): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await new Promise<string>((resolve, reject) => {
        http
          .get(url, (response) => {
            const chunks: Buffer[] = [];
            response.on('data', (chunk: Buffer) => chunks.push(chunk));
            response.on('end', () => resolve(Buffer.concat(chunks).toString()));
          })
          .on('error', reject);
      });
    } catch (error) {
      if (attempt >= attempts) throw new Error(`GET ${url}: ${(error as Error).message}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

beforeAll(async () => {
  const { minerd } = await buildFixtures();
  files = await serveFiles({ '/minerd': fs.readFileSync(minerd) });
  cluster = await startCluster(DIR);
  webPort = await freeLoopbackPort();
  pod = await runPod(cluster.containerd.cri, {
    name: `node-web-app-${randomBytes(3).toString('hex')}`,
    namespace: 'shop',
    labels: { app: 'node-web-app', tier: 'frontend' },
    containers: [
      { name: 'app', image: cluster.images.nodeWebApp.tag, env: { PORT: String(webPort) } },
    ],
  });
  appId = pod.containers.app!;
});

afterAll(async () => {
  try {
    if (pod) await removePod(cluster.containerd.cri, pod);
  } finally {
    await cluster?.stop();
    await files?.close();
  }
});

describe('a private containerd', () => {
  it('answers Version over its own CRI socket', async () => {
    const version = await cluster.containerd.cri.version();
    expect(version).toMatchObject({ runtimeName: 'containerd', runtimeApiVersion: 'v1' });
  });

  it('lists the imported test images through the CRI image service', async () => {
    const tags = (await cluster.containerd.cri.listImages()).flatMap((image) => image.repoTags);
    expect(tags).toEqual(
      expect.arrayContaining([cluster.images.pause.tag, cluster.images.nodeWebApp.tag]),
    );
  });

  it('reports an imported image by tag and nothing for an unknown one', async () => {
    const image = await cluster.containerd.cri.imageStatus(cluster.images.busybox.tag);
    expect(image).toMatchObject({
      id: cluster.images.busybox.id,
      repoTags: [cluster.images.busybox.tag],
    });
    expect(await cluster.containerd.cri.imageStatus('driftlock.test/missing:1')).toBeNull();
  });

  it('names the call, subject and gRPC status when a container does not exist', async () => {
    const call = cluster.containerd.cri.containerStatus('no-such-container');
    await expect(call).rejects.toThrow(CriError);
    await expect(call).rejects.toThrow(/^cri: ContainerStatus no-such-container: NOT_FOUND: /);
  });
});

describe('runPod', () => {
  it('names the pod and the failed step, and leaves no sandbox, when a container cannot be made', async () => {
    const name = `broken-${randomBytes(3).toString('hex')}`;
    const start = runPod(cluster.containerd.cri, {
      name,
      namespace: 'shop',
      containers: [{ name: 'app', image: 'driftlock.test/missing:1' }],
    });
    await expect(start).rejects.toThrow(
      new RegExp(`^pod shop/${name}: cri: CreateContainer app in \\w+: `),
    );
    const left = await cluster.containerd.cri.listPodSandbox({
      labelSelector: { 'io.kubernetes.pod.name': name },
    });
    expect(left).toEqual([]);
  });
});

describe('a kubelet-style pod on the host network', () => {
  it('reports the pod name, namespace, uid and labels in PodSandboxStatus', async () => {
    const { status } = await cluster.containerd.cri.podSandboxStatus(pod.id);
    expect(status).toMatchObject({
      state: 'SANDBOX_READY',
      metadata: { name: pod.name, namespace: 'shop', uid: pod.uid },
      labels: {
        app: 'node-web-app',
        tier: 'frontend',
        'io.kubernetes.pod.name': pod.name,
        'io.kubernetes.pod.namespace': 'shop',
        'io.kubernetes.pod.uid': pod.uid,
      },
      linux: { namespaces: { options: { network: 'NODE', pid: 'CONTAINER' } } },
    });
  });

  it('reports the image and Kubernetes labels in ContainerStatus', async () => {
    const { status } = await cluster.containerd.cri.containerStatus(appId);
    expect(status).toMatchObject({
      state: 'CONTAINER_RUNNING',
      metadata: { name: 'app' },
      image: { image: cluster.images.nodeWebApp.tag },
      imageRef: cluster.images.nodeWebApp.id,
      labels: {
        'io.kubernetes.container.name': 'app',
        'io.kubernetes.pod.name': pod.name,
        'io.kubernetes.pod.namespace': 'shop',
        'io.kubernetes.pod.uid': pod.uid,
      },
    });
  });

  it('lists the ready sandbox by its pod labels', async () => {
    const sandboxes = await cluster.containerd.cri.listPodSandbox({
      state: { state: 'SANDBOX_READY' },
      labelSelector: { app: 'node-web-app', 'io.kubernetes.pod.namespace': 'shop' },
    });
    expect(sandboxes.map((s) => s.id)).toContain(pod.id);
  });

  it('lists the container by its pod label selector', async () => {
    const containers = await cluster.containerd.cri.listContainers({
      labelSelector: { 'io.kubernetes.pod.uid': pod.uid },
    });
    expect(containers.map((c) => c.id)).toEqual([appId]);
  });

  it('serves the node web app on the host loopback', async () => {
    expect(await httpGet(`http://127.0.0.1:${webPort}/`)).toContain('node web app');
  });

  it('returns exit code 0 and stdout from ExecSync echo hi', async () => {
    const result = await cluster.containerd.cri.execSync(appId, ['echo', 'hi'], 10);
    expect({ exitCode: result.exitCode, stdout: result.stdout.toString() }).toEqual({
      exitCode: 0,
      stdout: 'hi\n',
    });
  });

  it('returns a command’s non-zero exit code from ExecSync', async () => {
    const result = await cluster.containerd.cri.execSync(appId, ['sh', '-c', 'exit 3'], 10);
    expect(result.exitCode).toBe(3);
  });

  it('downloads and runs a miner through a streaming exec session (no agent yet)', async () => {
    const script = `wget -q -O /tmp/minerd ${files.url}/minerd && chmod +x /tmp/minerd && /tmp/minerd`;
    const result = await cluster.containerd.cri.execStream(appId, ['sh', '-c', script]);
    expect(result).toEqual({ stdout: 'minerd: mining\n', stderr: '', exitCode: 0 });
    expect(files.requests).toContain('/minerd');
  });

  it('runs a download typed into an interactive shell session, as kubectl exec -i does', async () => {
    const typed = [
      'mkdir /tmp/session && cd /tmp/session',
      `wget -q ${files.url}/minerd`,
      'chmod +x minerd',
      './minerd',
      'echo bye >&2',
      'exit 7',
    ];
    const result = await cluster.containerd.cri.execStream(appId, ['sh'], {
      stdin: typed.map((line) => `${line}\n`).join(''),
    });
    expect(result).toEqual({ stdout: 'minerd: mining\n', stderr: 'bye\n', exitCode: 7 });
  });

  it('fails a streaming exec whose command does not exist, naming the runtime’s reason', async () => {
    const call = cluster.containerd.cri.execStream(appId, ['/no/such/binary']);
    await expect(call).rejects.toThrow(
      /^exec stream http:\/\/127\.0\.0\.1:\d+\/exec\/\S+: .*no such file/,
    );
  });

  it('gives an exec session a terminal when asked, as kubectl exec -it does', async () => {
    const result = await cluster.containerd.cri.execStream(appId, ['sh'], {
      tty: true,
      stdin: 'tty\nexit 3\n',
    });
    expect(result.stdout).toMatch(/\/dev\/pts\/\d+/);
    expect(result.exitCode).toBe(3);
  });

  it('puts the container init in the cgroup kubepods/besteffort/pod<uid>/<container-id>', async () => {
    const pid = await containerInitPid(cluster.containerd.cri, appId);
    expect(cgroupPaths(pid)).toContain(`/kubepods/besteffort/pod${pod.uid}/${appId}`);
    expect(containerHostPids(appId)).toContain(pid);
  });

  it('roots the container in an overlay whose upperdir holds files written after start', async () => {
    await cluster.containerd.cri.execSync(appId, ['sh', '-c', 'echo x > /tmp/written'], 10);
    const pid = await containerInitPid(cluster.containerd.cri, appId);
    const { upperdir } = rootOverlay(pid);
    expect(upperdir).toMatch(
      new RegExp(`^${DIR}/root/io\\.containerd\\.snapshotter\\.v1\\.overlayfs/snapshots/\\d+/fs$`),
    );
    expect(fs.readFileSync(path.join(upperdir, 'tmp/written'), 'utf8')).toBe('x\n');
    expect(fs.existsSync(path.join(upperdir, 'bin/busybox'))).toBe(false);
  });
});

describe('a pod on its own network with a file-server sidecar', () => {
  let sidecarPod: Pod | undefined;

  afterAll(async () => {
    if (sidecarPod) await removePod(cluster.containerd.cri, sidecarPod);
  });

  it('downloads from the sidecar over the pod loopback and runs what it got', async () => {
    sidecarPod = await runPod(cluster.containerd.cri, {
      name: `node-web-app-${randomBytes(3).toString('hex')}`,
      namespace: 'shop',
      labels: { app: 'node-web-app' },
      hostNetwork: false,
      containers: [
        { name: 'app', image: cluster.images.nodeWebApp.tag },
        { name: 'files', image: cluster.images.fileServer.tag },
      ],
    });
    // The sidecar's httpd may still be starting: retry the download for up to 2 s.
    const download = `wget -q -O /tmp/m http://127.0.0.1:${FILE_SERVER_PORT}/minerd`;
    const script = `for i in $(seq 20); do ${download} && break; sleep 0.1; done; chmod +x /tmp/m && /tmp/m`;
    const result = await cluster.containerd.cri.execStream(sidecarPod.containers.app!, [
      'sh',
      '-c',
      script,
    ]);
    expect(result).toEqual({ stdout: 'minerd: mining\n', stderr: '', exitCode: 0 });
    const { status } = await cluster.containerd.cri.podSandboxStatus(sidecarPod.id);
    expect(status?.linux?.namespaces?.options?.network).toBe('POD');
  });

  it('stops and removes one container while its pod keeps running', async () => {
    const cri = cluster.containerd.cri;
    const filesId = sidecarPod!.containers.files!;
    await cri.stopContainer(filesId, 1);
    expect((await cri.containerStatus(filesId)).status).toMatchObject({
      state: 'CONTAINER_EXITED',
      exitCode: 137,
    });
    await cri.removeContainer(filesId);
    await expect(cri.containerStatus(filesId)).rejects.toThrow(/NOT_FOUND/);
    const { status } = await cri.podSandboxStatus(sidecarPod!.id);
    expect(status?.state).toBe('SANDBOX_READY');
  });
});
