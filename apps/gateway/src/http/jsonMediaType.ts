import { parse as parseContentType } from 'content-type';
import type { Request, RequestHandler } from 'express';
import { ApiHttpError } from './apiError';

/**
 * A request that carries a body must say it is UTF-8 JSON. Anything else (text, a form, no Content-Type at all) is
 * refused with 415 before it is read, rather than parsed as nothing and ignored. A request without a body (a
 * finalize, a delete) needs no Content-Type. Parsed as the body parser parses it, so both agree on what is JSON.
 */
export const refuseNonJsonBody: RequestHandler = (request, _response, next) => {
  if (!carriesBody(request)) return next();
  const problem = mediaTypeProblem(request.header('content-type'));
  if (problem) throw ApiHttpError.of('UNSUPPORTED_MEDIA_TYPE', problem, 'Content-Type');
  next();
};

/** An empty body sent with `Content-Length: 0` is no body; a chunked one announces one. */
function carriesBody(request: Request): boolean {
  return request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length'] ?? 0) > 0;
}

function mediaTypeProblem(header: string | undefined): string | undefined {
  if (header === undefined) return 'A request body needs Content-Type: application/json';
  const { type, parameters } = parseContentType(header);
  if (type !== 'application/json') return 'The request body must be JSON, sent with Content-Type: application/json';
  const charset = parameters.charset?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8') return 'The request body must be UTF-8 JSON (charset=utf-8)';
  return undefined;
}
