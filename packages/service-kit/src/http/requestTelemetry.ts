import type { RequestHandler } from 'express';
import type { ServiceMetrics } from '../metrics';
import { routeOf, runInServerSpan } from '../tracing/requestSpans';
import type { Tracing } from '../tracing/tracing';

/** Every request timed in `afternoon_http_request_duration_seconds` by route and status, and traced when tracing is on. */
export function requestTelemetry({ metrics, tracing }: { metrics: ServiceMetrics; tracing?: Tracing }): RequestHandler {
  const tracer = tracing?.tracer;
  return (request, response, next) => {
    const stopTimer = metrics.httpRequestDuration.startTimer();
    response.once('close', () => {
      stopTimer({ method: request.method, route: routeOf(request), status: String(response.statusCode) });
    });
    if (tracer) runInServerSpan(tracer, request, response, next);
    else next();
  };
}
