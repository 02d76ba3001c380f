import { request as httpRequest } from 'node:http';
import type { GatewayResponse } from '@afternoon/testkit';

/** A request exactly as it goes on the wire: the path is sent byte for byte, undecoded and unnormalized. */
export interface RawRequest {
  method: string;
  /** Path and query, already percent-encoded (or malformed on purpose). */
  target: string;
  headers: Record<string, string>;
  body?: Buffer;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

// A request that gets no answer at all is a failure of its own (TRACE once hung); this bounds the wait for one.
const answerTimeoutMs = 10_000;

/** Sends `raw` to the gateway on `port` with node:http (fetch refuses TRACE and normalizes paths). */
export function sendRaw(port: number, raw: RawRequest): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: raw.method,
        path: raw.target,
        headers: { ...(raw.body ? { 'content-length': String(raw.body.length) } : {}), ...raw.headers },
        timeout: answerTimeoutMs,
      },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('error', reject);
        incoming.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, text, json: parseJson(text) });
        });
      },
    );
    outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer within ${answerTimeoutMs} ms`)));
    outgoing.on('error', reject);
    outgoing.end(raw.body);
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** `sendRaw` in the shape of the testkit's client answers: the body parsed as JSON when it is JSON, else its text. */
export async function rawRequest(
  baseUrl: string,
  method: string,
  target: string,
  headers: Record<string, string> = {},
  body?: Buffer | string,
): Promise<GatewayResponse> {
  const raw = await sendRaw(Number(new URL(baseUrl).port), {
    method,
    target,
    headers,
    ...(body === undefined ? {} : { body: Buffer.from(body) }),
  });
  const responseHeaders = new Headers();
  for (const [name, value] of Object.entries(raw.headers))
    if (typeof value === 'string') responseHeaders.set(name, value);
  return { status: raw.status, headers: responseHeaders, body: raw.json === undefined ? raw.text : raw.json };
}
