import * as grpc from '@grpc/grpc-js';
import { criMethod, CriService } from './proto';
import { streamExec, StreamExecOptions, StreamExecResult } from './stream-exec';
import type {
  Container,
  ContainerConfig,
  ContainerFilter,
  ContainerStatusResponse,
  ExecRequest,
  ExecSyncResponse,
  Image,
  ImageSpec,
  PodSandbox,
  PodSandboxConfig,
  PodSandboxFilter,
  PodSandboxStatusResponse,
  VersionResponse,
} from './types';

export const DEFAULT_CRI_ADDRESS = 'unix:///run/containerd/containerd.sock';
const DEFAULT_TIMEOUT_MS = 10_000;
// The kubelet's limit too: a node with many containers outgrows gRPC's 4 MiB default.
const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

export interface CriClientOptions {
  /** `unix:///path/to.sock` or a plain socket path. */
  address?: string;
  /** Deadline of each call, in milliseconds. */
  timeoutMs?: number;
}

export interface ExecStreamOptions extends StreamExecOptions {
  tty?: boolean;
}

/** A failed CRI call: `cri: ContainerStatus abc: NOT_FOUND: ...`. */
export class CriError extends Error {
  constructor(
    readonly method: string,
    readonly subject: string,
    /** gRPC status name, e.g. `NOT_FOUND`, `UNAVAILABLE`, `DEADLINE_EXCEEDED`. */
    readonly code: string,
    readonly details: string,
  ) {
    super(`cri: ${method}${subject ? ` ${subject}` : ''}: ${code}: ${details}`);
    this.name = 'CriError';
  }
}

interface Methods {
  Version: [{ version: string }, VersionResponse];
  RunPodSandbox: [{ config: PodSandboxConfig; runtimeHandler?: string }, { podSandboxId: string }];
  StopPodSandbox: [{ podSandboxId: string }, object];
  RemovePodSandbox: [{ podSandboxId: string }, object];
  PodSandboxStatus: [{ podSandboxId: string; verbose: boolean }, PodSandboxStatusResponse];
  ListPodSandbox: [{ filter?: PodSandboxFilter }, { items: PodSandbox[] }];
  CreateContainer: [
    { podSandboxId: string; config: ContainerConfig; sandboxConfig: PodSandboxConfig },
    { containerId: string },
  ];
  StartContainer: [{ containerId: string }, object];
  StopContainer: [{ containerId: string; timeout: number }, object];
  RemoveContainer: [{ containerId: string }, object];
  ListContainers: [{ filter?: ContainerFilter }, { containers: Container[] }];
  ContainerStatus: [{ containerId: string; verbose: boolean }, ContainerStatusResponse];
  ExecSync: [{ containerId: string; cmd: string[]; timeout: number }, ExecSyncResponse];
  Exec: [ExecRequest, { url: string }];
  ListImages: [{ filter?: { image: ImageSpec } }, { images: Image[] }];
  ImageStatus: [
    { image: ImageSpec; verbose: boolean },
    { image: Image | null; info: Record<string, string> },
  ];
}

const IMAGE_METHODS: ReadonlySet<keyof Methods> = new Set(['ListImages', 'ImageStatus']);

/** A typed client of the Kubernetes CRI API (runtime.v1), as the kubelet speaks it. */
export class CriClient {
  readonly address: string;
  private readonly timeoutMs: number;
  private readonly channel: grpc.Client;

  constructor(options: CriClientOptions = {}) {
    const address = options.address ?? DEFAULT_CRI_ADDRESS;
    this.address = address.startsWith('/') ? `unix://${address}` : address;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.channel = new grpc.Client(this.address, grpc.credentials.createInsecure(), {
      'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
    });
  }

  version(): Promise<VersionResponse> {
    return this.call('Version', '', { version: 'v1' });
  }

  /** Creates and starts a pod sandbox; resolves to its id. */
  async runPodSandbox(config: PodSandboxConfig, runtimeHandler = ''): Promise<string> {
    const subject = `${config.metadata.namespace}/${config.metadata.name}`;
    const response = await this.call('RunPodSandbox', subject, { config, runtimeHandler });
    return response.podSandboxId;
  }

  async stopPodSandbox(podSandboxId: string): Promise<void> {
    await this.call('StopPodSandbox', podSandboxId, { podSandboxId });
  }

  async removePodSandbox(podSandboxId: string): Promise<void> {
    await this.call('RemovePodSandbox', podSandboxId, { podSandboxId });
  }

  podSandboxStatus(podSandboxId: string, verbose = false): Promise<PodSandboxStatusResponse> {
    return this.call('PodSandboxStatus', podSandboxId, { podSandboxId, verbose });
  }

  async listPodSandbox(filter?: PodSandboxFilter): Promise<PodSandbox[]> {
    return (await this.call('ListPodSandbox', '', { filter })).items;
  }

  /** Creates a container in a sandbox; resolves to its id. */
  async createContainer(
    podSandboxId: string,
    config: ContainerConfig,
    sandboxConfig: PodSandboxConfig,
  ): Promise<string> {
    const subject = `${config.metadata.name} in ${podSandboxId}`;
    const request = { podSandboxId, config, sandboxConfig };
    return (await this.call('CreateContainer', subject, request)).containerId;
  }

  async startContainer(containerId: string): Promise<void> {
    await this.call('StartContainer', containerId, { containerId });
  }

  /** Stops a container, killing it after `timeoutSeconds` of grace. */
  async stopContainer(containerId: string, timeoutSeconds = 0): Promise<void> {
    await this.call(
      'StopContainer',
      containerId,
      { containerId, timeout: timeoutSeconds },
      this.timeoutMs + timeoutSeconds * 1000,
    );
  }

  async removeContainer(containerId: string): Promise<void> {
    await this.call('RemoveContainer', containerId, { containerId });
  }

  async listContainers(filter?: ContainerFilter): Promise<Container[]> {
    return (await this.call('ListContainers', '', { filter })).containers;
  }

  containerStatus(containerId: string, verbose = false): Promise<ContainerStatusResponse> {
    return this.call('ContainerStatus', containerId, { containerId, verbose });
  }

  /**
   * Runs a command to completion. The runtime kills it after `timeoutSeconds` (0: never); the
   * call itself gives up after the client's timeout plus `timeoutSeconds`.
   */
  execSync(containerId: string, cmd: string[], timeoutSeconds = 0): Promise<ExecSyncResponse> {
    const deadline = this.timeoutMs + timeoutSeconds * 1000;
    const subject = `${containerId} ${JSON.stringify(cmd)}`;
    return this.call('ExecSync', subject, { containerId, cmd, timeout: timeoutSeconds }, deadline);
  }

  /** Prepares a streaming exec; resolves to the URL that serves it (see streamExec). */
  async exec(request: ExecRequest): Promise<string> {
    const subject = `${request.containerId} ${JSON.stringify(request.cmd)}`;
    return (await this.call('Exec', subject, request)).url;
  }

  /**
   * `kubectl exec [-i] [-t]`: Exec, then the streaming session until the command exits. With a
   * TTY the terminal echoes input and merges stderr into stdout, as it does for a person.
   */
  async execStream(
    containerId: string,
    cmd: string[],
    options: ExecStreamOptions = {},
  ): Promise<StreamExecResult> {
    const tty = options.tty ?? false;
    const url = await this.exec({
      containerId,
      cmd,
      tty,
      stdin: options.stdin !== undefined,
      stdout: true,
      stderr: !tty,
    });
    return streamExec(url, options);
  }

  async listImages(): Promise<Image[]> {
    return (await this.call('ListImages', '', {})).images;
  }

  /** Resolves to null when the runtime does not have the image. */
  async imageStatus(image: string): Promise<Image | null> {
    return (await this.call('ImageStatus', image, { image: { image }, verbose: false })).image;
  }

  close(): void {
    this.channel.close();
  }

  private call<M extends keyof Methods>(
    name: M,
    subject: string,
    request: Methods[M][0],
    timeoutMs?: number,
  ): Promise<Methods[M][1]> {
    const service: CriService = IMAGE_METHODS.has(name) ? 'ImageService' : 'RuntimeService';
    const method = criMethod(service, name);
    const deadline = Date.now() + (timeoutMs ?? this.timeoutMs);
    return new Promise((resolve, reject) => {
      this.channel.makeUnaryRequest(
        method.path,
        method.serialize,
        method.deserialize,
        request,
        new grpc.Metadata(),
        { deadline },
        (error, response) => {
          if (error) {
            reject(
              new CriError(
                name,
                subject,
                grpc.status[error.code] ?? String(error.code),
                error.details,
              ),
            );
          } else {
            resolve(response as Methods[M][1]);
          }
        },
      );
    });
  }
}
