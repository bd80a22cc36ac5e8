import * as http from 'http';
import type { AddressInfo } from 'net';

export interface FileServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** Request paths served so far, in order. */
  requests: string[];
  close(): Promise<void>;
}

/**
 * Serves fixed files on 127.0.0.1 at a random port: the attacker's download server that a pod on
 * the host network reaches over loopback. `files` maps URL paths (`/minerd`) to contents.
 */
export function serveFiles(files: Record<string, Buffer | string>): Promise<FileServer> {
  const requests: string[] = [];
  const server = http.createServer((request, response) => {
    const urlPath = request.url ?? '/';
    requests.push(urlPath);
    const body = files[urlPath];
    if (body === undefined) {
      response.writeHead(404).end(`no file at ${urlPath}\n`);
      return;
    }
    response.writeHead(200, { 'content-type': 'application/octet-stream' }).end(body);
  });
  return new Promise((resolve, reject) => {
    server.once('error', (error) =>
      reject(new Error(`file server on 127.0.0.1: ${error.message}`)),
    );
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        port,
        requests,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

/** A TCP port free on 127.0.0.1 right now, for a host-network pod's server to listen on. */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = http.createServer();
    server.once('error', (error) => reject(new Error(`free port on 127.0.0.1: ${error.message}`)));
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
