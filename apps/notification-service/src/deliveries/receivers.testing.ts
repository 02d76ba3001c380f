import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request a test receiver got: its headers and body exactly as sent. */
export interface ReceivedRequest {
  headers: http.IncomingHttpHeaders;
  body: string;
  receivedAt: number;
}

/** How a test receiver answers one request; a handler that never calls `respond` hangs. */
export type ReceiverBehaviour = (request: ReceivedRequest, respond: (status: number, body?: string) => void) => void;

/** A real HTTP server on loopback for tests, recording every request, answering as `behaviour` says. */
export async function startReceiver(behaviour: ReceiverBehaviour) {
  const received: ReceivedRequest[] = [];
  let current = behaviour;
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const entry = { headers: request.headers, body: Buffer.concat(chunks).toString('utf8'), receivedAt: Date.now() };
      received.push(entry);
      current(entry, (status, body = '') => {
        response.writeHead(status, { 'content-type': 'text/plain' });
        response.end(body);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    port,
    received,
    answer(next: ReceiverBehaviour) {
      current = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
