import { DockerClient, DockerError } from './docker-client';

describe('DockerClient', () => {
  it('names the operation and the socket when the daemon is not there', async () => {
    const client = new DockerClient({ socketPath: '/nonexistent/docker.sock' });
    const call = client.inspectContainer('abc');
    await expect(call).rejects.toThrow(DockerError);
    await expect(call).rejects.toThrow(
      'docker: inspect container abc: connect ENOENT /nonexistent/docker.sock',
    );
  });
});
