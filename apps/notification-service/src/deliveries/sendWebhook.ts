import { lookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { Mode } from '@afternoon/contracts/common';
import type { WebhookAttempt } from '@afternoon/contracts/webhooks';
import { isPrivateAddress } from './privateAddresses';
import type { SignatureHeaders } from './signPayload';

/** How much of a response the log keeps; the rest is not read. */
export const responseBodyLimitBytes = 1024;

export interface SendSettings {
  timeoutMs: number;
  /** Plain http in live mode too (test mode always may). */
  allowHttp: boolean;
  /** Loopback, private and link-local addresses (local development and tests). */
  allowPrivateNetworks: boolean;
}

export interface WebhookRequest {
  url: string;
  mode: Mode;
  body: string;
  headers: SignatureHeaders;
  attemptedAt: Date;
}

/** One attempt's log entry and whether it succeeded (any 2xx). */
export interface SentWebhook {
  attempt: WebhookAttempt;
  succeeded: boolean;
}

/**
 * POSTs the body once: to the address its host resolved to and was checked against the private ranges (the request
 * connects to that address, so a second resolution cannot point it elsewhere), no redirect followed, at most
 * `timeoutMs` for the whole exchange, the first 1 KB of the answer kept. Rejects only when `shutdown` aborts it:
 * an attempt cut short by the service stopping is not an outcome.
 */
export async function sendWebhook(
  request: WebhookRequest,
  settings: SendSettings,
  shutdown: AbortSignal,
): Promise<SentWebhook> {
  const started = performance.now();
  const attempt = (fields: Partial<WebhookAttempt>): SentWebhook => ({
    succeeded:
      fields.response_status !== undefined && fields.response_status !== null && isSuccess(fields.response_status),
    attempt: {
      attempted_at: request.attemptedAt.toISOString(),
      response_status: null,
      latency_ms: Math.round(performance.now() - started),
      response_body: null,
      error: null,
      ...fields,
    },
  });
  const url = new URL(request.url);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && (request.mode === 'test' || settings.allowHttp)))
    return attempt({ error: 'insecure_url' });
  let addresses: { address: string; family: number }[];
  try {
    addresses = await lookup(url.hostname.replace(/^\[(.*)\]$/, '$1'), { all: true, verbatim: true });
  } catch {
    return attempt({ error: 'dns_failure' });
  }
  const target = addresses[0];
  if (!target) return attempt({ error: 'dns_failure' });
  if (!settings.allowPrivateNetworks && addresses.some(({ address }) => isPrivateAddress(address)))
    return attempt({ error: 'private_address' });

  const timeout = AbortSignal.timeout(settings.timeoutMs);
  try {
    const answer = await post(url, request, target, AbortSignal.any([timeout, shutdown]));
    const redirected = answer.status >= 300 && answer.status < 400;
    return attempt({
      response_status: answer.status,
      response_body: answer.body,
      error: redirected ? 'redirect_not_followed' : null,
    });
  } catch (error) {
    if (shutdown.aborted) throw error;
    return attempt({ error: timeout.aborted ? 'timeout' : connectionError(error) });
  }
}

const isSuccess = (status: number) => status >= 200 && status < 300;

function post(
  url: URL,
  request: WebhookRequest,
  target: { address: string; family: number },
  signal: AbortSignal,
): Promise<{ status: number; body: string }> {
  const pinned: LookupFunction = (_hostname, options, callback) => {
    if (options.all) callback(null, [target]);
    else callback(null, target.address, target.family);
  };
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const outgoing = transport.request(url, {
      method: 'POST',
      lookup: pinned,
      agent: false,
      signal,
      headers: {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(request.body),
        'user-agent': 'Afternoon-Webhooks/1',
        ...request.headers,
      },
    });
    outgoing.on('error', reject);
    outgoing.on('response', (response) => {
      const chunks: Buffer[] = [];
      let kept = 0;
      const done = () => {
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
        outgoing.destroy();
      };
      response.on('data', (chunk: Buffer) => {
        const room = responseBodyLimitBytes - kept;
        chunks.push(chunk.subarray(0, room));
        kept += Math.min(room, chunk.length);
        if (kept >= responseBodyLimitBytes) done();
      });
      response.on('end', done);
      response.on('error', reject);
    });
    outgoing.end(request.body);
  });
}

function connectionError(error: unknown): string {
  const code = (error as { code?: string }).code;
  if (code === 'ECONNREFUSED') return 'connection_refused';
  if (code === 'ECONNRESET' || code === 'EPIPE') return 'connection_reset';
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return 'unreachable';
  if (code?.startsWith('ERR_TLS') || code?.includes('CERT')) return 'tls_error';
  return 'connection_error';
}
