import { createHmac, timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SeededRandom } from './seededRandom';

/** What the receiver saw of one `webhook-id`. */
export interface ReceivedEvent {
  requests: number;
  /** Requests that came after one was answered 200: re-sends a receiver dedupes. */
  afterAccepted: number;
  accepted: boolean;
}

/** A tenant's webhook receiver: what it got, by `webhook-id`, and what it refused as not Afternoon's. */
export interface WebhookReceiver {
  url: string;
  byId: Map<string, ReceivedEvent>;
  /** Requests whose signature did not verify, or whose `webhook-id` is not the body's id. */
  forged: string[];
  /** The endpoint's signing secret, once registered (the endpoint needs the receiver's URL first). */
  trust(secret: string): void;
  close(): Promise<void>;
}

/** The first request of an id: 200, 500, or no answer at all (the sender's timeout ends it). */
type FirstAnswer = 'ok' | 'error' | 'hang';

/**
 * A real HTTP server on loopback, flaky on purpose: the first request of an id is answered 500 (one in five) or
 * left hanging past the sender's timeout (one in fifteen), as the seed draws; every later request of that id is
 * answered 200, so the schedule's second attempt (5 s later) delivers it. Each request is verified as the README's
 * snippet does (Standard Webhooks, the trusted secret) before anything else.
 */
export async function startFlakyReceiver(random: SeededRandom): Promise<WebhookReceiver> {
  const byId = new Map<string, ReceivedEvent>();
  const forged: string[] = [];
  let secret = '';
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const id = String(request.headers['webhook-id']);
      if (!secret || !verifies(secret, body, request.headers) || bodyId(body) !== id) {
        forged.push(id);
        response.statusCode = 400;
        response.end('not verified');
        return;
      }
      const seen = byId.get(id);
      const answer: FirstAnswer = seen ? 'ok' : firstAnswer(random);
      const event = seen ?? { requests: 0, afterAccepted: 0, accepted: false };
      event.requests += 1;
      if (event.accepted) event.afterAccepted += 1;
      byId.set(id, event);
      if (answer === 'hang') return;
      if (answer === 'ok') event.accepted = true;
      response.statusCode = answer === 'ok' ? 200 : 500;
      response.end(answer);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks`,
    byId,
    forged,
    trust: (trusted) => {
      secret = trusted;
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function firstAnswer(random: SeededRandom): FirstAnswer {
  const draw = random.next();
  if (draw < 1 / 5) return 'error';
  if (draw < 1 / 5 + 1 / 15) return 'hang';
  return 'ok';
}

function bodyId(body: string): string | undefined {
  try {
    return (JSON.parse(body) as { id?: string }).id;
  } catch {
    return undefined;
  }
}

/** The README's verification snippet: a `v1` HMAC-SHA256 over `id.timestamp.body`, no older than 5 minutes. */
function verifies(secret: string, body: string, headers: IncomingHttpHeaders): boolean {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signatures = headers['webhook-signature'];
  if (typeof id !== 'string' || typeof timestamp !== 'string' || typeof signatures !== 'string') return false;
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > 5 * 60) return false;
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest();
  return signatures.split(' ').some((entry) => {
    const [version, signature] = entry.split(',');
    if (version !== 'v1' || !signature) return false;
    const given = Buffer.from(signature, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}
