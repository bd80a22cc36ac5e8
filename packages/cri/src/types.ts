// TypeScript shapes of the runtime.v1 messages in proto/runtime-v1.proto, as @grpc/proto-loader
// decodes them with the options in proto.ts: camelCase fields, enums as their names, int64 as
// decimal strings (nanosecond timestamps do not fit a JS number), bytes as Buffers, and every
// field present (unset scalars are defaults, unset messages are null).
// Request shapes (`...Config`, `...Filter`) are partial: proto3 treats a missing field as its default.

export type NamespaceMode = 'POD' | 'CONTAINER' | 'NODE' | 'TARGET';
export type PodSandboxState = 'SANDBOX_READY' | 'SANDBOX_NOTREADY';
export type ContainerState =
  'CONTAINER_CREATED' | 'CONTAINER_RUNNING' | 'CONTAINER_EXITED' | 'CONTAINER_UNKNOWN';
export type MountPropagation =
  'PROPAGATION_PRIVATE' | 'PROPAGATION_HOST_TO_CONTAINER' | 'PROPAGATION_BIDIRECTIONAL';

export type Labels = Record<string, string>;

/** Nanoseconds since the epoch, as a decimal string. */
export type Nanos = string;

export interface VersionResponse {
  version: string;
  runtimeName: string;
  runtimeVersion: string;
  runtimeApiVersion: string;
}

export interface NamespaceOption {
  network?: NamespaceMode;
  pid?: NamespaceMode;
  ipc?: NamespaceMode;
  targetId?: string;
}

export interface Int64Value {
  value: string | number;
}

export interface Mount {
  containerPath: string;
  hostPath: string;
  readonly?: boolean;
  selinuxRelabel?: boolean;
  propagation?: MountPropagation;
}

export interface PodSandboxMetadata {
  name: string;
  uid: string;
  namespace: string;
  attempt?: number;
}

export interface PodSandboxConfig {
  metadata: PodSandboxMetadata;
  hostname?: string;
  logDirectory?: string;
  dnsConfig?: { servers?: string[]; searches?: string[]; options?: string[] };
  labels?: Labels;
  annotations?: Labels;
  linux?: {
    cgroupParent?: string;
    securityContext?: {
      namespaceOptions?: NamespaceOption;
      runAsUser?: Int64Value;
      runAsGroup?: Int64Value;
      readonlyRootfs?: boolean;
      privileged?: boolean;
    };
    sysctls?: Labels;
  };
}

export interface ImageSpec {
  image: string;
  annotations?: Labels;
  userSpecifiedImage?: string;
  runtimeHandler?: string;
  imageRef?: string;
}

export interface ContainerMetadata {
  name: string;
  attempt?: number;
}

export interface ContainerConfig {
  metadata: ContainerMetadata;
  image: ImageSpec;
  command?: string[];
  args?: string[];
  workingDir?: string;
  envs?: { key: string; value: string }[];
  mounts?: Mount[];
  labels?: Labels;
  annotations?: Labels;
  logPath?: string;
  stdin?: boolean;
  stdinOnce?: boolean;
  tty?: boolean;
  linux?: {
    securityContext?: {
      privileged?: boolean;
      namespaceOptions?: NamespaceOption;
      runAsUser?: Int64Value;
      runAsGroup?: Int64Value;
      readonlyRootfs?: boolean;
    };
  };
}

export interface PodSandboxFilter {
  id?: string;
  state?: { state: PodSandboxState };
  labelSelector?: Labels;
}

export interface ContainerFilter {
  id?: string;
  state?: { state: ContainerState };
  podSandboxId?: string;
  labelSelector?: Labels;
}

/** A decoded ImageSpec: every field present. */
export interface ImageSpecStatus {
  image: string;
  annotations: Labels;
  userSpecifiedImage: string;
  runtimeHandler: string;
  imageRef: string;
}

export interface PodSandboxMetadataStatus {
  name: string;
  uid: string;
  namespace: string;
  attempt: number;
}

export interface PodSandbox {
  id: string;
  metadata: PodSandboxMetadataStatus | null;
  state: PodSandboxState;
  createdAt: Nanos;
  labels: Labels;
  annotations: Labels;
  runtimeHandler: string;
}

export interface PodSandboxStatus extends PodSandbox {
  network: { ip: string; additionalIps: { ip: string }[] } | null;
  linux: {
    namespaces: {
      options: {
        network: NamespaceMode;
        pid: NamespaceMode;
        ipc: NamespaceMode;
        targetId: string;
      } | null;
    } | null;
  } | null;
}

export interface PodSandboxStatusResponse {
  status: PodSandboxStatus | null;
  /** Runtime-specific JSON documents, filled when `verbose` is set. */
  info: Labels;
}

export interface Container {
  id: string;
  podSandboxId: string;
  metadata: { name: string; attempt: number } | null;
  image: ImageSpecStatus | null;
  imageRef: string;
  state: ContainerState;
  createdAt: Nanos;
  labels: Labels;
  annotations: Labels;
}

export interface ContainerStatus {
  id: string;
  metadata: { name: string; attempt: number } | null;
  state: ContainerState;
  createdAt: Nanos;
  startedAt: Nanos;
  finishedAt: Nanos;
  exitCode: number;
  image: ImageSpecStatus | null;
  imageRef: string;
  reason: string;
  message: string;
  labels: Labels;
  annotations: Labels;
  mounts: Required<Mount>[];
  logPath: string;
}

export interface ContainerStatusResponse {
  status: ContainerStatus | null;
  /** Runtime-specific JSON documents, filled when `verbose` is set (containerd: `info`). */
  info: Labels;
}

export interface ExecSyncResponse {
  stdout: Buffer;
  stderr: Buffer;
  exitCode: number;
}

export interface ExecRequest {
  containerId: string;
  cmd: string[];
  tty?: boolean;
  stdin?: boolean;
  stdout?: boolean;
  stderr?: boolean;
}

export interface Image {
  id: string;
  repoTags: string[];
  repoDigests: string[];
  size: string;
  uid: { value: string } | null;
  username: string;
  spec: ImageSpecStatus | null;
  pinned: boolean;
}
