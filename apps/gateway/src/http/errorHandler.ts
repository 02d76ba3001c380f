import { DomainError, type Logger } from '@afternoon/service-kit';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ApiHttpError } from './apiError';

/** Turns anything thrown by a route into the error envelope; unknown errors are logged and hidden. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, _request, response, _next) => {
    const apiError = toApiHttpError(error);
    if (apiError.status >= 500 && apiError.error.code === 'INTERNAL_ERROR') {
      logger.error({ err: error, request_id: response.locals.requestId }, 'request failed');
    }
    response
      .status(apiError.status)
      .json({ success: false, error: apiError.error, request_id: response.locals.requestId });
  };
}

export const unknownRoute: RequestHandler = (request) => {
  throw ApiHttpError.of('NOT_FOUND', `Unrecognized request URL (${request.method} ${request.path})`);
};

function toApiHttpError(error: unknown): ApiHttpError {
  if (error instanceof ApiHttpError) return error;
  if (error instanceof DomainError) return new ApiHttpError(error.toApiError());
  const bodyParser = error as { type?: string };
  if (bodyParser?.type === 'entity.parse.failed') {
    return ApiHttpError.of('INVALID_JSON', 'The request body is not valid JSON');
  }
  if (bodyParser?.type === 'entity.too.large') {
    return ApiHttpError.of('PAYLOAD_TOO_LARGE', 'The request body is larger than the limit of 1 MiB');
  }
  return ApiHttpError.of('INTERNAL_ERROR', 'Something went wrong on our side');
}
