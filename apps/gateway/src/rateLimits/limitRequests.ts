import type { Logger } from '@afternoon/service-kit';
import type { RequestHandler, Response } from 'express';
import { Counter, type Registry } from 'prom-client';
import { ApiHttpError } from '../http/apiError';
import { callerOf } from '../http/requestContext';
import { requestCost } from './requestCost';
import type { RequestWindows, WindowCount } from './requestWindows';

export interface RequestLimits {
  windows: RequestWindows;
  /** RATE_LIMIT_PER_MINUTE: what an organization without a limit of its own gets; 0 is unlimited. */
  defaultPerMinute: number;
  logger: Logger;
  registry: Registry;
}

/**
 * Counts every authenticated request against its organization and mode's window, answers the window in the
 * `X-RateLimit-*` headers (kept on whatever the route then answers, errors included) and refuses a request past
 * the limit with 429 RATE_LIMITED. An unlimited organization gets no headers. When the store cannot be asked the
 * request goes through uncounted (logged and counted in a metric): the limiter protects the API, it must not be
 * what takes it down.
 */
export function limitRequests(limits: RequestLimits): RequestHandler {
  const unavailable = new Counter({
    name: 'afternoon_rate_limiter_unavailable_total',
    help: 'Requests let through uncounted because the rate limiter could not reach its store',
    registers: [limits.registry],
  });
  return async (request, response, next) => {
    const caller = callerOf(response);
    let count: WindowCount;
    try {
      const perMinute = caller.rateLimitPerMinute ?? limits.defaultPerMinute;
      if (perMinute === 0) return next();
      // A weighted read never costs more than a whole window, so a small limit still allows it.
      const cost = Math.min(requestCost(request.method, `${request.baseUrl}${request.path}`), perMinute);
      count = await limits.windows.count(`${caller.organizationId}:${caller.mode}`, perMinute, cost);
    } catch (error) {
      unavailable.inc();
      limits.logger.warn(
        { err: error, request_id: response.locals.requestId },
        'rate limiter unavailable; request let through uncounted',
      );
      return next();
    }
    answerWindow(response, count);
    if (count.exceeded) {
      const retryAfter = Math.max(1, Math.ceil((count.endsAt - Date.now()) / 1000));
      response.setHeader('Retry-After', String(retryAfter));
      throw ApiHttpError.of(
        'RATE_LIMITED',
        `Rate limit of ${count.limit} requests per minute exceeded; retry after ${retryAfter} seconds`,
      );
    }
    next();
  };
}

function answerWindow(response: Response, count: WindowCount): void {
  response.setHeader('X-RateLimit-Limit', String(count.limit));
  response.setHeader('X-RateLimit-Remaining', String(count.remaining));
  response.setHeader('X-RateLimit-Reset', String(Math.ceil(count.endsAt / 1000)));
}
