import type { ErrorCode } from '@afternoon/contracts/common';
import { DomainError, type Logger } from '@afternoon/service-kit';
import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import { ApiHttpError } from './apiError';
import { methodsServing } from './servedMethods';

/** Turns anything thrown by a route into the error envelope; unknown errors are logged and hidden. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, request, response, _next) => {
    const apiError = toApiHttpError(error, request);
    if (apiError.status >= 500 && apiError.error.code === 'INTERNAL_ERROR') {
      logger.error({ err: error, request_id: response.locals.requestId }, 'request failed');
    }
    response
      .status(apiError.status)
      .json({ success: false, error: apiError.error, request_id: response.locals.requestId });
  };
}

/** No route matched: 405 with `Allow` when the path is served by other methods, else 404. Mountable anywhere. */
export const unknownRoute: RequestHandler = (request, response) => {
  const path = request.baseUrl + request.path;
  const allowed = methodsServing(request.app, path);
  if (allowed.length === 0) throw ApiHttpError.of('NOT_FOUND', `Unrecognized request URL (${request.method} ${path})`);
  response.setHeader('Allow', allowed.join(', '));
  throw ApiHttpError.of(
    'METHOD_NOT_ALLOWED',
    `${request.method} is not served at ${path}; it serves ${allowed.join(', ')}`,
  );
};

/** What each error of the body parser (by its `type`) tells the caller: all of them are about the request. */
const bodyParserErrors: Record<string, [ErrorCode, string]> = {
  'entity.parse.failed': ['INVALID_JSON', 'The request body is not valid JSON'],
  'entity.too.large': ['PAYLOAD_TOO_LARGE', 'The request body is larger than the limit of 1 MiB'],
  'encoding.unsupported': ['UNSUPPORTED_MEDIA_TYPE', 'Content-Encoding must be identity, gzip, deflate or br'],
  'charset.unsupported': ['UNSUPPORTED_MEDIA_TYPE', 'The request body must be UTF-8 JSON (charset=utf-8)'],
  'request.aborted': ['INVALID_JSON', 'The request body ended before it was complete'],
  'request.size.invalid': ['INVALID_JSON', 'The request body is not as long as its Content-Length says'],
};

function toApiHttpError(error: unknown, request: Request): ApiHttpError {
  if (error instanceof ApiHttpError) return error;
  if (error instanceof DomainError) return new ApiHttpError(error.toApiError());
  if (isBodyParserError(error)) {
    const known = bodyParserErrors[error.type ?? ''];
    if (known) return ApiHttpError.of(...known);
    const encoding = request.header('content-encoding');
    if (encoding && error.type === undefined) {
      return ApiHttpError.of(
        'INVALID_JSON',
        `The request body is not valid ${encoding} data, as its Content-Encoding says`,
      );
    }
    return ApiHttpError.of('INVALID_JSON', 'The request body could not be read');
  }
  return ApiHttpError.of('INTERNAL_ERROR', 'Something went wrong on our side');
}

/**
 * The body parser's errors are `http-errors`, with a `status` and an `expose` flag; most also carry a `type`
 * (`entity.parse.failed`, `stream.encoding.set`…), but a decompression error it passes on has none.
 */
function isBodyParserError(error: unknown): error is { type?: string } {
  const candidate = error as { status?: unknown; expose?: unknown } | null;
  return typeof candidate?.status === 'number' && typeof candidate.expose === 'boolean';
}
