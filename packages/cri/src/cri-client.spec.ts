import { CriClient, CriError } from './cri-client';
import * as protoLoader from '@grpc/proto-loader';
import { criMethod, CRI_PROTO_PATH } from './proto';

describe('CriClient', () => {
  it('calls the upstream runtime.v1 method paths, so any CRI runtime understands it', () => {
    expect(criMethod('RuntimeService', 'ContainerStatus').path).toBe(
      '/runtime.v1.RuntimeService/ContainerStatus',
    );
    expect(criMethod('ImageService', 'ImageStatus').path).toBe(
      '/runtime.v1.ImageService/ImageStatus',
    );
  });

  it('decodes int64 nanosecond timestamps as exact decimal strings and enums as names', () => {
    const runtime = protoLoader.loadSync(CRI_PROTO_PATH)['runtime.v1.RuntimeService'];
    const encoded = (runtime as protoLoader.ServiceDefinition).ListPodSandbox!.responseSerialize({
      items: [{ id: 'p1', state: 1, createdAt: '1764864000123456789' }],
    });
    const decoded = criMethod('RuntimeService', 'ListPodSandbox').deserialize(encoded);
    expect(decoded).toMatchObject({
      items: [
        { id: 'p1', state: 'SANDBOX_NOTREADY', createdAt: '1764864000123456789', labels: {} },
      ],
    });
  });

  it('names the method, subject and gRPC status when the runtime is not there', async () => {
    const client = new CriClient({ address: '/nonexistent/containerd.sock', timeoutMs: 2000 });
    try {
      const call = client.containerStatus('abc');
      await expect(call).rejects.toThrow(CriError);
      await expect(call).rejects.toThrow(/^cri: ContainerStatus abc: UNAVAILABLE: /);
    } finally {
      client.close();
    }
  });

  it('accepts a plain socket path as address', () => {
    const client = new CriClient({ address: '/run/x.sock' });
    expect(client.address).toBe('unix:///run/x.sock');
    client.close();
  });
});
