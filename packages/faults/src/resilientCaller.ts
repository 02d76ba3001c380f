import { setTimeout as delay } from 'node:timers/promises';

export interface Answer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: the run reads whatever the gateway sent
  body: any;
}

/** How the gateway answered during the run, by kind: outages must show as 503/504, never as 500 or a hang. */
export interface AnswerTally {
  ok: number;
  unavailable: number;
  timeouts: number;
  serverErrors: number;
  noAnswer: number;
  /** 409 IDEMPOTENCY_KEY_IN_USE: an earlier attempt (one that seemed unanswered) was still being worked on. */
  inUse: number;
  /** 5xx other than 503/504, with what was asked: each is a bug. */
  serverErrorSamples: string[];
}

export function emptyTally(): AnswerTally {
  return { ok: 0, unavailable: 0, timeouts: 0, serverErrors: 0, noAnswer: 0, inUse: 0, serverErrorSamples: [] };
}

const requestTimeoutMs = 30_000;

/**
 * Calls the gateway as a careful client does: an `Idempotency-Key` on writes, and a retry with backoff after a 5xx,
 * no answer, or 409 `IDEMPOTENCY_KEY_IN_USE` (its earlier attempt still running), until an answer that is not the world's fault arrives or `giveUpAt` passes (undefined then).
 */
export async function callUntilAnswered(options: {
  baseUrl: string;
  apiKey: string;
  method: 'GET' | 'POST' | 'PATCH';
  path: string;
  body?: unknown;
  idempotencyKey?: string;
  giveUpAt: () => number;
  tally: AnswerTally;
}): Promise<Answer | undefined> {
  const { tally } = options;
  for (let attempt = 0; Date.now() < options.giveUpAt(); attempt++) {
    try {
      const response = await fetch(new URL(options.path, options.baseUrl), {
        method: options.method,
        headers: {
          authorization: `Bearer ${options.apiKey}`,
          ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(options.idempotencyKey ? { 'idempotency-key': options.idempotencyKey } : {}),
        },
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: AbortSignal.timeout(requestTimeoutMs),
      });
      const body: Answer['body'] = await response.json().catch(() => undefined);
      const inUse = response.status === 409 && body?.error?.code === 'IDEMPOTENCY_KEY_IN_USE';
      if (response.status < 500 && !inUse) {
        tally.ok += 1;
        return { status: response.status, body };
      }
      if (inUse) tally.inUse += 1;
      else if (response.status === 503) tally.unavailable += 1;
      else if (response.status === 504) tally.timeouts += 1;
      else {
        tally.serverErrors += 1;
        if (tally.serverErrorSamples.length < 10)
          tally.serverErrorSamples.push(
            `${options.method} ${options.path} → ${response.status} ${JSON.stringify(body)}`,
          );
      }
    } catch {
      tally.noAnswer += 1;
    }
    await delay(Math.min(100 * 2 ** attempt, 2_000));
  }
  return undefined;
}
