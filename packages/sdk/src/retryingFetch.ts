import { type RetryPolicy, retryDelayMs } from './retryPolicy';

type Fetch = (request: Request) => Promise<Response>;

const retriedStatuses = new Set([429, 503, 504]);
const writeMethods = new Set(['POST', 'PATCH', 'PUT', 'DELETE']);

/**
 * `fetch` for one logical request: a write gets an `Idempotency-Key` (unless it has one) that every retry repeats,
 * so the gateway performs it once however often it is sent; a 429, 503, 504, network error, or 409
 * `IDEMPOTENCY_KEY_IN_USE` (an earlier attempt still running) is retried per `policy`.
 */
export function retryingFetch(fetch: Fetch, policy: RetryPolicy, newIdempotencyKey: () => string): Fetch {
  return async (request) => {
    const keyed = withIdempotencyKey(request, newIdempotencyKey);
    for (let retry = 0; ; retry++) {
      const isLast = retry >= policy.retries;
      let response: Response;
      try {
        response = await fetch(keyed.clone());
      } catch (error) {
        if (isLast) throw error;
        await policy.sleep(retryDelayMs(policy, retry, null));
        continue;
      }
      if (isLast || !(await isRetried(response))) return response;
      await response.body?.cancel();
      await policy.sleep(retryDelayMs(policy, retry, response.headers.get('retry-after')));
    }
  };
}

function withIdempotencyKey(request: Request, newIdempotencyKey: () => string): Request {
  if (!writeMethods.has(request.method) || request.headers.has('idempotency-key')) return request;
  const headers = new Headers(request.headers);
  headers.set('Idempotency-Key', newIdempotencyKey());
  return new Request(request, { headers });
}

async function isRetried(response: Response): Promise<boolean> {
  if (retriedStatuses.has(response.status)) return true;
  if (response.status !== 409) return false;
  const body: unknown = await response
    .clone()
    .json()
    .catch(() => undefined);
  return (body as { error?: { code?: unknown } } | undefined)?.error?.code === 'IDEMPOTENCY_KEY_IN_USE';
}
