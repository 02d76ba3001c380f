import type { RequestHandler } from 'express';
import { ApiHttpError } from './apiError';

/**
 * How deep a request body may nest objects and arrays. No contract needs more than 5 (an ingest batch's event
 * properties are at depth 4); far deeper bodies would overflow the stack of whatever walks them recursively
 * (zod, `JSON.stringify` in the Idempotency-Key fingerprint).
 */
export const maxBodyDepth = 32;

/** Whether a parsed JSON value nests deeper than `limit` levels of objects and arrays; walks without recursion. */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const pending: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    if (typeof next.value !== 'object' || next.value === null) continue;
    const depth = next.depth + 1;
    if (depth > limit) return true;
    for (const child of Object.values(next.value)) pending.push({ value: child, depth });
  }
  return false;
}

/** Refuses, before any route runs, a body nested deeper than `maxBodyDepth`. */
export const refuseDeepBody: RequestHandler = (request, _response, next) => {
  if (nestsDeeperThan(request.body, maxBodyDepth)) {
    throw ApiHttpError.of(
      'VALIDATION_ERROR',
      `The request body nests objects and arrays deeper than ${maxBodyDepth} levels`,
    );
  }
  next();
};
