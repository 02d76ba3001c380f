import { context, SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api';
import type { Request, Response } from 'express';
import { activeIn, remoteParent } from './spans';

/**
 * Opens the SERVER span of a request (continuing a caller's `traceparent`, e.g. the gateway asking a service) and
 * runs `next` in it; the span is named by the route that served it once the response is sent. The request and
 * response emitters are bound to it, so what body parsers call back on still runs in the request's trace.
 */
export function runInServerSpan(tracer: Tracer, request: Request, response: Response, next: () => void): void {
  const parent = remoteParent(request.headers);
  const span = tracer.startSpan(
    request.method,
    { kind: SpanKind.SERVER, attributes: { 'http.request.method': request.method } },
    parent,
  );
  const active = activeIn(tracer, span, parent);
  context.bind(active, request);
  context.bind(active, response);
  response.once('close', () => {
    const route = routeOf(request);
    span.updateName(`${request.method} ${route}`);
    span.setAttributes({ 'http.route': route, 'http.response.status_code': response.statusCode });
    if (response.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  });
  context.with(active, next);
}

/** The route template that answered (never the raw path: a hosted invoice's path is its capability token). */
export function routeOf(request: Request): string {
  const path = (request.route as { path?: unknown } | undefined)?.path;
  return typeof path === 'string' ? `${request.baseUrl}${path}` : 'unmatched';
}
