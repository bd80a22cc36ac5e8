import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type { ContainerConfig, CriClient, NamespaceOption, PodSandboxConfig } from '@driftlock/cri';

export interface ContainerSpec {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: Record<string, string>;
}

export interface PodSpec {
  name: string;
  namespace: string;
  /** Default: a random UUID, as the API server assigns one. */
  uid?: string;
  labels?: Record<string, string>;
  /**
   * Share the node's network namespace (default true), so the pod reaches servers on the host's
   * 127.0.0.1. With false the pod gets the CNI bridge; its containers still share a loopback.
   */
  hostNetwork?: boolean;
  containers: ContainerSpec[];
}

export interface Pod {
  id: string;
  uid: string;
  name: string;
  namespace: string;
  /** The pod's own labels, without the io.kubernetes.pod.* ones the kubelet adds. */
  labels: Record<string, string>;
  sandboxConfig: PodSandboxConfig;
  /** Container ids by container name. */
  containers: Record<string, string>;
}

/** The cgroup the kubelet (cgroupfs driver) gives a best-effort pod. */
export function podCgroupParent(uid: string): string {
  return `/kubepods/besteffort/pod${uid}`;
}

function podSandboxConfig(spec: PodSpec, uid: string): PodSandboxConfig {
  const hostNetwork = spec.hostNetwork ?? true;
  return {
    metadata: { name: spec.name, uid, namespace: spec.namespace, attempt: 0 },
    // A host-network pod has no UTS namespace of its own, so it cannot set a hostname.
    hostname: hostNetwork ? '' : spec.name,
    labels: {
      ...spec.labels,
      'io.kubernetes.pod.name': spec.name,
      'io.kubernetes.pod.namespace': spec.namespace,
      'io.kubernetes.pod.uid': uid,
    },
    annotations: { 'kubernetes.io/config.source': 'api' },
    linux: {
      cgroupParent: podCgroupParent(uid),
      securityContext: { namespaceOptions: namespaceOptions(hostNetwork) },
    },
  };
}

function namespaceOptions(hostNetwork: boolean): NamespaceOption {
  return { network: hostNetwork ? 'NODE' : 'POD', pid: 'CONTAINER', ipc: 'POD' };
}

function containerConfig(
  pod: PodSandboxConfig,
  spec: ContainerSpec,
  hostNetwork: boolean,
): ContainerConfig {
  return {
    metadata: { name: spec.name, attempt: 0 },
    image: { image: spec.image },
    command: spec.command ?? [],
    args: spec.args ?? [],
    envs: Object.entries(spec.env ?? {}).map(([key, value]) => ({ key, value })),
    labels: {
      'io.kubernetes.container.name': spec.name,
      'io.kubernetes.pod.name': pod.metadata.name,
      'io.kubernetes.pod.namespace': pod.metadata.namespace,
      'io.kubernetes.pod.uid': pod.metadata.uid,
    },
    annotations: { 'io.kubernetes.container.restartCount': '0' },
    linux: { securityContext: { namespaceOptions: namespaceOptions(hostNetwork) } },
  };
}

/**
 * Starts a pod the way the kubelet does (RunPodSandbox, then CreateContainer and StartContainer
 * for each container). If any step fails the sandbox is removed and the error says which step.
 */
export async function runPod(cri: CriClient, spec: PodSpec): Promise<Pod> {
  const uid = spec.uid ?? randomUUID();
  const sandboxConfig = podSandboxConfig(spec, uid);
  const id = await cri.runPodSandbox(sandboxConfig);
  const pod: Pod = {
    id,
    uid,
    name: spec.name,
    namespace: spec.namespace,
    labels: spec.labels ?? {},
    sandboxConfig,
    containers: {},
  };
  try {
    for (const container of spec.containers) {
      const config = containerConfig(sandboxConfig, container, spec.hostNetwork ?? true);
      const containerId = await cri.createContainer(id, config, sandboxConfig);
      pod.containers[container.name] = containerId;
      await cri.startContainer(containerId);
    }
  } catch (error) {
    await removePod(cri, pod).catch(() => undefined);
    throw new Error(`pod ${spec.namespace}/${spec.name}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return pod;
}

/**
 * Deletes a pod as the kubelet does: stops the sandbox (killing its containers), removes it, and
 * removes the pod's cgroup, which the runtime leaves to the kubelet.
 */
export async function removePod(cri: CriClient, pod: Pod): Promise<void> {
  await cri.stopPodSandbox(pod.id);
  await cri.removePodSandbox(pod.id);
  removePodCgroups(pod.uid);
}

function removePodCgroups(uid: string): void {
  const roots = [
    '/sys/fs/cgroup',
    ...fs.readdirSync('/sys/fs/cgroup').map((h) => `/sys/fs/cgroup/${h}`),
  ];
  for (const root of roots) {
    const dir = path.join(root, podCgroupParent(uid));
    try {
      fs.rmdirSync(dir);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // Not every hierarchy has the pod (or is a folder at all).
      if (code !== 'ENOENT' && code !== 'ENOTDIR') {
        throw new Error(`pod uid ${uid}: cannot remove cgroup ${dir}: ${(error as Error).message}`);
      }
    }
  }
}
