export { CriClient, CriError, DEFAULT_CRI_ADDRESS } from './cri-client';
export type { CriClientOptions, ExecStreamOptions } from './cri-client';
export { streamExec, exitCodeOf, StreamExecError, EXEC_SUBPROTOCOL } from './stream-exec';
export type { StreamExecOptions, StreamExecResult, ExecStatus } from './stream-exec';
export { DockerClient, DockerError, DEFAULT_DOCKER_SOCKET } from './docker-client';
export type { DockerClientOptions, DockerContainer, DockerVersion } from './docker-client';
export { CRI_PROTO_PATH } from './proto';
export type * from './types';
