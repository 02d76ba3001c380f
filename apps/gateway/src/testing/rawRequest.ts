import { request } from 'node:http';
import type { GatewayResponse } from '@afternoon/testkit';

/**
 * Sends exactly the given method, path bytes, headers and body, as a hostile client would: `fetch` refuses some
 * methods (TRACE), normalises paths and adds headers of its own.
 */
export function rawRequest(
  baseUrl: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: Buffer | string,
): Promise<GatewayResponse> {
  const { hostname, port } = new URL(baseUrl);
  // Node sends a DELETE's or GET's body without a length unless told it, which would read as a second request.
  const length = body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) };
  return new Promise((resolve, reject) => {
    const sent = request({ hostname, port, method, path, headers: { ...length, ...headers } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {}
        const responseHeaders = new Headers();
        for (const [name, value] of Object.entries(response.headers))
          if (typeof value === 'string') responseHeaders.set(name, value);
        resolve({ status: response.statusCode ?? 0, headers: responseHeaders, body: parsed });
      });
    });
    sent.on('error', reject);
    sent.end(body);
  });
}
