import { randomBytes } from 'crypto';
import { DockerError } from '@driftlock/cri';
import { startCluster, Cluster } from './cluster';
import { Dockerd } from './docker';
import { cgroupPaths, containerHostPids, rootOverlay } from './host';

const DIR = '/var/lib/driftlock-test/spec-docker';
const name = `driftlock-web-${randomBytes(3).toString('hex')}`;

let cluster: Cluster;
let dockerd: Dockerd;
let id: string;

beforeAll(async () => {
  cluster = await startCluster(DIR);
  dockerd = await Dockerd.start(cluster.containerd);
  await dockerd.loadImage(cluster.images.busybox);
  id = await dockerd.runContainer({
    name,
    image: cluster.images.busybox.tag,
    labels: { app: 'legacy-web' },
    command: ['sleep', '600'],
  });
});

afterAll(async () => {
  try {
    await dockerd?.stop();
  } finally {
    await cluster?.stop();
  }
});

describe('a plain Docker container on the private containerd', () => {
  it('runs commands through docker exec', async () => {
    expect(await dockerd.docker(['exec', name, 'sh', '-c', 'echo hi; id -u'])).toBe('hi\n0');
  });

  it('reports name, image, image id, state and labels through the Engine API', async () => {
    const container = await dockerd.api.inspectContainer(id);
    expect(container).toMatchObject({
      id,
      name,
      image: cluster.images.busybox.tag,
      imageId: cluster.images.busybox.id,
      state: { status: 'running', running: true, exitCode: 0 },
      labels: { app: 'legacy-web' },
    });
    expect(container.state.pid).toBeGreaterThan(1);
  });

  it('names the operation and HTTP status when a container does not exist', async () => {
    const call = dockerd.api.inspectContainer('no-such-container');
    await expect(call).rejects.toThrow(DockerError);
    await expect(call).rejects.toThrow(
      'docker: inspect container no-such-container: 404 No such container: no-such-container',
    );
  });

  it('shows its init on the host in cgroup /docker/<id> with an overlay2 upperdir', async () => {
    const { pid } = (await dockerd.api.inspectContainer(id)).state;
    expect(cgroupPaths(pid)).toContain(`/docker/${id}`);
    expect(containerHostPids(id)).toContain(pid);
    expect(rootOverlay(pid).upperdir).toMatch(
      new RegExp(`^${dockerd.dir}/data/overlay2/[0-9a-f]+/diff$`),
    );
  });
});
