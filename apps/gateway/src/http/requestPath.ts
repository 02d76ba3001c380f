import type { RequestHandler } from 'express';
import { ApiHttpError } from './apiError';

/**
 * A path that cannot be read names no resource: one holding a NUL (`%00`, which nothing can store) or a
 * percent-encoding that is not UTF-8 (`%E0%A4%A`, `%C0%AF`). Answered 404 before any route tries to decode it.
 */
export const refuseUnreadablePath: RequestHandler = (request, _response, next) => {
  if (!readable(request.path)) throw ApiHttpError.of('NOT_FOUND', 'Unrecognized request URL (it cannot be decoded)');
  next();
};

function readable(path: string): boolean {
  try {
    return !decodeURIComponent(path).includes('\u0000');
  } catch {
    return false;
  }
}
