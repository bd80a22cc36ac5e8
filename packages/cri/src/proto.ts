import * as path from 'path';
import * as protoLoader from '@grpc/proto-loader';

/** The .proto file ships with the package (package root, next to dist/ and src/). */
export const CRI_PROTO_PATH = path.join(__dirname, '..', 'proto', 'runtime-v1.proto');

export type CriService = 'RuntimeService' | 'ImageService';

export interface UnaryMethod {
  path: string;
  serialize: (value: object) => Buffer;
  deserialize: (bytes: Buffer) => unknown;
}

const definition = protoLoader.loadSync(CRI_PROTO_PATH, {
  keepCase: false,
  longs: String,
  enums: String,
  bytes: Buffer,
  defaults: true,
  oneofs: true,
});

export function criMethod(service: CriService, name: string): UnaryMethod {
  const serviceDefinition = definition[`runtime.v1.${service}`];
  if (!serviceDefinition || 'format' in serviceDefinition) {
    throw new Error(`cri: ${CRI_PROTO_PATH} has no service runtime.v1.${service}`);
  }
  const method = serviceDefinition[name];
  if (!method) {
    throw new Error(`cri: ${CRI_PROTO_PATH} has no method ${service}.${name}`);
  }
  return {
    path: method.path,
    serialize: (value) => method.requestSerialize(value),
    deserialize: (bytes) => method.responseDeserialize(bytes),
  };
}
