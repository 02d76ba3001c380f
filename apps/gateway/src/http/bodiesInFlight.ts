import { E_TIMEOUT, Semaphore, withTimeout } from 'async-mutex';
import type { Request, RequestHandler } from 'express';
import { ApiHttpError } from './apiError';
import { bodyLimitBytes } from './jsonBody';

/** How many bytes of request bodies the gateway holds at once, and how long a body that does not fit may wait. */
export interface BodyBudget {
  bytes: number;
  waitMs: number;
}

/**
 * What one gateway holds (ADR 0044): 32 bodies of the largest size, 200 ingest batches of 1,000 usual events. Parsed,
 * a body takes a few times its size in the heap, so this keeps a burst of large bodies well inside the old space the
 * apps run with.
 */
export const gatewayBodyBudget: BodyBudget = { bytes: 32 * bodyLimitBytes, waitMs: 5_000 };

/**
 * Bounds the bytes of request bodies held at once: a body is read only when it fits in what is left of the budget,
 * and counts until its response is over (its parsed form lives that long). One that does not fit waits unread, so
 * TCP holds its client back, and after `waitMs` is refused with 503 and `Retry-After`. A body counts its
 * Content-Length, or the body limit when compressed or chunked (what it may inflate to).
 */
export function boundBodiesInFlight({ bytes, waitMs }: BodyBudget): RequestHandler {
  const budget = withTimeout(new Semaphore(Math.max(1, Math.floor(bytes / unitBytes))), waitMs);
  return async (request, response, next) => {
    const size = heldSize(request);
    if (size === 0) return next();
    let release: (() => void) | undefined;
    let closed = false;
    response.once('close', () => {
      closed = true;
      release?.();
    });
    try {
      [, release] = await budget.acquire(Math.ceil(size / unitBytes));
    } catch (error) {
      if (error !== E_TIMEOUT) throw error;
      response.setHeader('Retry-After', '1');
      throw ApiHttpError.of(
        'SERVICE_UNAVAILABLE',
        'The gateway is reading as many request bodies as it can hold; retry in a moment',
      );
    }
    // A client gone while its request waited is not read at all.
    if (closed) return release();
    next();
  };
}

/**
 * The budget counts in 16 KiB units, not bytes: async-mutex's semaphore walks every unit of its value on each release
 * (a budget of 32 Mi bytes made each request wait ~190 ms); a body of any size up to 16 KiB costs one unit.
 */
const unitBytes = 16 * 1024;

function heldSize(request: Request): number {
  const chunked = request.headers['transfer-encoding'] !== undefined;
  const length = Number(request.headers['content-length'] ?? 0);
  if (!chunked && !(length > 0)) return 0;
  const encoding = request.headers['content-encoding'];
  const compressed = encoding !== undefined && encoding.toLowerCase() !== 'identity';
  return chunked || compressed ? bodyLimitBytes : Math.min(length, bodyLimitBytes);
}
