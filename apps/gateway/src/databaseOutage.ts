import { isDatabaseUnavailable } from '@afternoon/service-kit';
import type { ErrorRequestHandler } from 'express';
import { ApiHttpError } from './http/apiError';

/**
 * A route that failed because the gateway's own Postgres is down or restarting (API keys, Idempotency-Keys,
 * organizations) answers 503 SERVICE_UNAVAILABLE, which a client retries, rather than 500.
 */
export const databaseOutage: ErrorRequestHandler = (error, _request, _response, next) => {
  next(
    isDatabaseUnavailable(error)
      ? ApiHttpError.of('SERVICE_UNAVAILABLE', 'The service is briefly unavailable; retry with exponential backoff')
      : error,
  );
};
