import type { CriClient, DockerClient } from '@driftlock/cri';
import type { ContainerInfo, KubernetesInfo } from '@driftlock/protocol';
import type { ContainerRef } from '../processes/process-table';

/** What the container runtime says about a container. */
export interface ContainerMetadata {
  container: ContainerInfo;
  kubernetes: KubernetesInfo | null;
}

type CriMetadataClient = Pick<CriClient, 'containerStatus' | 'listContainers' | 'podSandboxStatus'>;

export interface RuntimeClients {
  /** One per CRI socket: a node may run several containerd instances. */
  cri: CriMetadataClient[];
  docker: Pick<DockerClient, 'inspectContainer'> | null;
}

const MAX_LABELS = 64;
const MAX_LABEL_VALUE = 63;

/** CRI timestamps are nanoseconds as decimal strings; 0 means unset. */
function nanosToIso(nanos: string): string | null {
  if (!/^\d+$/.test(nanos) || BigInt(nanos) === 0n) return null;
  return new Date(Number(BigInt(nanos) / 1_000_000n)).toISOString();
}

/**
 * A sandbox carries the pod's labels plus the kubelet's own `io.kubernetes.*` bookkeeping; the
 * analyst wants the pod's, bounded the way the wire format bounds them.
 */
export function podLabels(sandboxLabels: Record<string, string>): Record<string, string> {
  const entries = Object.entries(sandboxLabels)
    .filter(([key]) => !key.startsWith('io.kubernetes.'))
    .filter(([key]) => key.length > 0 && key.length <= 317)
    .slice(0, MAX_LABELS)
    .map(([key, value]) => [key, value.slice(0, MAX_LABEL_VALUE)]);
  return Object.fromEntries(entries);
}

/** An image reference that pins content: a repo digest, or the image id. */
function digestOf(imageRef: string): string | null {
  return imageRef.includes('sha256:') ? imageRef : null;
}

async function fromCri(
  cri: CriMetadataClient,
  id: string,
  node: string,
  cluster: string | null,
): Promise<ContainerMetadata> {
  const [{ status }, [listed]] = await Promise.all([
    cri.containerStatus(id),
    cri.listContainers({ id }),
  ]);
  if (!status) throw new Error(`cri: ContainerStatus ${id}: no status`);
  const container: ContainerInfo = {
    id,
    name: status.metadata?.name ?? status.labels['io.kubernetes.container.name'] ?? '',
    runtime: 'containerd',
    image: status.image?.image ?? '',
    imageDigest: digestOf(status.imageRef),
    startedAt: nanosToIso(status.startedAt),
  };
  const sandboxId = listed?.podSandboxId;
  if (!sandboxId) return { container, kubernetes: null };
  const sandbox = (await cri.podSandboxStatus(sandboxId)).status;
  if (!sandbox?.metadata) return { container, kubernetes: null };
  return {
    container,
    kubernetes: {
      podName: sandbox.metadata.name,
      podUid: sandbox.metadata.uid,
      namespace: sandbox.metadata.namespace,
      podLabels: podLabels(sandbox.labels),
      containerName: container.name,
      node,
      cluster,
    },
  };
}

async function fromDocker(
  docker: NonNullable<RuntimeClients['docker']>,
  id: string,
): Promise<ContainerMetadata> {
  const inspected = await docker.inspectContainer(id);
  return {
    container: {
      id,
      name: inspected.name,
      runtime: 'docker',
      image: inspected.image,
      imageDigest: digestOf(inspected.imageId),
      startedAt: inspected.state.startedAt.startsWith('0001-')
        ? null
        : new Date(inspected.state.startedAt).toISOString(),
    },
    kubernetes: null,
  };
}

/**
 * Asks the runtime the cgroup points at first, then the other one: a CRI pod's cgroup can be
 * laid out by a custom parent, and Docker runs on containerd too.
 */
export async function fetchMetadata(
  clients: RuntimeClients,
  ref: ContainerRef,
  node: string,
  cluster: string | null,
): Promise<ContainerMetadata> {
  const docker = clients.docker;
  const viaCri = clients.cri.map((cri) => () => fromCri(cri, ref.id, node, cluster));
  const viaDocker = docker ? [() => fromDocker(docker, ref.id)] : [];
  const attempts: (() => Promise<ContainerMetadata>)[] =
    ref.flavor === 'docker' ? [...viaDocker, ...viaCri] : [...viaCri, ...viaDocker];
  const errors: string[] = [];
  for (const attempt of attempts) {
    try {
      return await attempt();
    } catch (error) {
      errors.push((error as Error).message);
    }
  }
  throw new Error(
    `containers: no runtime knows ${ref.id}: ${errors.join('; ') || 'no runtime configured'}`,
  );
}
