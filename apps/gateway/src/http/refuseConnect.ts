import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { newRequestId } from './requestContext';

/**
 * Node hands a CONNECT request to the server's `connect` event instead of the app, and with no listener closes the
 * socket unanswered; the gateway proxies nothing, so it answers 405 with the error envelope like any other method.
 */
export function refuseConnect(request: IncomingMessage, socket: Duplex): void {
  const body = JSON.stringify({
    success: false,
    error: { code: 'METHOD_NOT_ALLOWED', message: `CONNECT is not served at ${request.url ?? '/'}` },
    request_id: newRequestId(),
  });
  socket.end(
    [
      'HTTP/1.1 405 Method Not Allowed',
      'Content-Type: application/json; charset=utf-8',
      `Content-Length: ${Buffer.byteLength(body)}`,
      'Connection: close',
      '',
      body,
    ].join('\r\n'),
  );
}
