import * as http from 'http';

export const DEFAULT_DOCKER_SOCKET = '/var/run/docker.sock';
const DEFAULT_TIMEOUT_MS = 10_000;

export interface DockerClientOptions {
  socketPath?: string;
  timeoutMs?: number;
}

export interface DockerVersion {
  version: string;
  apiVersion: string;
}

export interface DockerContainer {
  id: string;
  /** Without Docker's leading slash. */
  name: string;
  /** The image as the container was created from it (`busybox:latest`). */
  image: string;
  /** The image's content id (`sha256:...`). */
  imageId: string;
  createdAt: string;
  state: {
    status: string;
    running: boolean;
    /** Host pid of the container's init; 0 when it is not running. */
    pid: number;
    exitCode: number;
    startedAt: string;
  };
  labels: Record<string, string>;
}

/** A failed Docker Engine API call: `docker: inspect container abc: 404 No such container: abc`. */
export class DockerError extends Error {
  constructor(
    readonly operation: string,
    /** HTTP status, or undefined when the daemon could not be reached. */
    readonly statusCode: number | undefined,
    detail: string,
  ) {
    super(`docker: ${operation}: ${statusCode !== undefined ? `${statusCode} ` : ''}${detail}`);
    this.name = 'DockerError';
  }
}

interface InspectBody {
  Id: string;
  Name: string;
  Image: string;
  Created: string;
  Config: { Image: string; Labels: Record<string, string> | null };
  State: { Status: string; Running: boolean; Pid: number; ExitCode: number; StartedAt: string };
}

/** The few Docker Engine API calls the agent needs, over the daemon's unix socket. */
export class DockerClient {
  readonly socketPath: string;
  private readonly timeoutMs: number;

  constructor(options: DockerClientOptions = {}) {
    this.socketPath = options.socketPath ?? DEFAULT_DOCKER_SOCKET;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  async version(): Promise<DockerVersion> {
    const body = await this.get<{ Version: string; ApiVersion: string }>('version', '/version');
    return { version: body.Version, apiVersion: body.ApiVersion };
  }

  async inspectContainer(idOrName: string): Promise<DockerContainer> {
    const body = await this.get<InspectBody>(
      `inspect container ${idOrName}`,
      `/containers/${encodeURIComponent(idOrName)}/json`,
    );
    return {
      id: body.Id,
      name: body.Name.replace(/^\//, ''),
      image: body.Config.Image,
      imageId: body.Image,
      createdAt: body.Created,
      state: {
        status: body.State.Status,
        running: body.State.Running,
        pid: body.State.Pid,
        exitCode: body.State.ExitCode,
        startedAt: body.State.StartedAt,
      },
      labels: body.Config.Labels ?? {},
    };
  }

  private get<T>(operation: string, path: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const request = http.get(
        { socketPath: this.socketPath, path, timeout: this.timeoutMs },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', (error) =>
            reject(new DockerError(operation, undefined, error.message)),
          );
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString();
            const status = response.statusCode ?? 0;
            try {
              const body: unknown = JSON.parse(text);
              if (status >= 200 && status < 300) return resolve(body as T);
              const message = (body as { message?: string }).message ?? text;
              reject(new DockerError(operation, status, message));
            } catch {
              reject(
                new DockerError(operation, status, `response is not JSON: ${text.slice(0, 200)}`),
              );
            }
          });
        },
      );
      request.on('timeout', () =>
        request.destroy(new Error(`no answer within ${this.timeoutMs} ms`)),
      );
      request.on('error', (error) => reject(new DockerError(operation, undefined, error.message)));
    });
  }
}
