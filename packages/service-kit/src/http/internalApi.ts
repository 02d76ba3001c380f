import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';

/** Where a service's internal API answers, and the token (INTERNAL_API_TOKEN) it asks of every caller. */
export interface InternalApi {
  url: string;
  token: string;
}

/** The headers that open an internal API's door: the token as a bearer credential. */
export function internalApiHeaders(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

/** Answers 401 to a request without the internal token; the token is compared in constant time. */
export function requireInternalToken(token: string): RequestHandler {
  const expected = digest(token);
  return (request, response, next) => {
    const presented = /^bearer +(?<token>\S+)\s*$/i.exec(request.get('authorization') ?? '')?.groups?.token;
    if (presented !== undefined && timingSafeEqual(digest(presented), expected)) return next();
    response.status(401).json({ error: { code: 'UNAUTHORIZED', message: 'internal API: missing or wrong token' } });
  };
}

// Digests have one length whatever the token's, so the comparison reveals neither its bytes nor its length.
function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
