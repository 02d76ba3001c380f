import type { Server } from 'node:http';
import express, { type ErrorRequestHandler, type Express, Router } from 'express';
import { DomainError } from '../errors';
import { NotYetError } from '../failures';
import type { Logger } from '../logger';
import type { ServiceMetrics } from '../metrics';
import { isDatabaseUnavailable } from '../postgres/database';
import type { Tracing } from '../tracing/tracing';
import { requireInternalToken } from './internalApi';
import { requestTelemetry } from './requestTelemetry';
import { MissingTenantError } from './tenant';

export interface ReadinessCheck {
  name: string;
  /** True when ready; false, or an error whose message /readyz shows, when not. */
  check(): Promise<boolean>;
}

// A dependency that does not answer is as down as one that refuses: /readyz must answer promptly during an outage.
const readinessCheckTimeoutMs = 2_000;

/** Liveness, readiness and Prometheus metrics: the same three routes on every app. */
export function operationalRoutes(options: { readiness: readonly ReadinessCheck[]; metrics: ServiceMetrics }): Router {
  const router = Router();
  router.get('/healthz', (_request, response) => {
    response.json({ status: 'ok' });
  });
  router.get('/readyz', async (_request, response) => {
    const results = await Promise.all(
      options.readiness.map(async ({ name, check }) => [name, await withinReadinessTimeout(check())] as const),
    );
    const ready = results.every(([, ok]) => ok === true);
    response
      .status(ready ? 200 : 503)
      .json({ status: ready ? 'ready' : 'not_ready', checks: Object.fromEntries(results) });
  });
  router.get('/metrics', async (_request, response) => {
    response.type(options.metrics.registry.contentType).send(await options.metrics.registry.metrics());
  });
  return router;
}

async function withinReadinessTimeout(check: Promise<boolean>): Promise<boolean | string> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${readinessCheckTimeoutMs} ms`), readinessCheckTimeoutMs);
  });
  try {
    return await Promise.race([
      check.catch((error: unknown) => (error instanceof Error ? error.message : false)),
      timedOut,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Listens on `port` (0 picks a free one) of `host` (every interface when not given) and tells which port it got. */
export async function listen(app: Express, port: number, host?: string): Promise<{ server: Server; port: number }> {
  const server = await new Promise<Server>((resolve, reject) => {
    const ready = (error?: Error) => (error ? reject(error) : resolve(listening));
    const listening = host === undefined ? app.listen(port, ready) : app.listen(port, host, ready);
  });
  const address = server.address();
  return { server, port: typeof address === 'object' && address ? address.port : port };
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/**
 * A service's HTTP side on INTERNAL_HOST: the operational routes, open to probes and scrapers, then the slices'
 * internal read routes behind the internal token, each request timed and traced.
 */
export async function startServiceHttp(options: {
  host: string;
  port: number;
  token: string;
  routers: readonly Router[];
  readiness: readonly ReadinessCheck[];
  metrics: ServiceMetrics;
  /** Off unless given. */
  tracing?: Tracing;
  logger: Logger;
}): Promise<{ server: Server; port: number }> {
  const app = express();
  app.disable('x-powered-by');
  // The gateway reads each answer once and never asks conditionally; an ETag would hash every body for nothing.
  app.disable('etag');
  app.use(operationalRoutes(options));
  app.use(requestTelemetry(options));
  app.use(requireInternalToken(options.token));
  for (const router of options.routers) app.use(router);
  app.use(internalErrors(options.logger));
  return listen(app, options.port, options.host);
}

function internalErrors(logger: Logger): ErrorRequestHandler {
  return (error, _request, response, _next) => {
    if (error instanceof DomainError) {
      response.status(error.code === 'NOT_FOUND' ? 404 : 400).json({ error: error.toApiError() });
    } else if (error instanceof MissingTenantError) {
      response.status(400).json({ error: { code: 'VALIDATION_ERROR', message: error.message } });
    } else if (isDatabaseUnavailable(error) || error instanceof NotYetError) {
      // Down, busy or past its statement timeout: the caller may retry, so this is no bug to log as one.
      logger.warn({ err: error }, 'internal query could not be answered now');
      response.status(503).json({ error: { code: 'SERVICE_UNAVAILABLE', message: 'briefly unavailable; retry' } });
    } else {
      logger.error({ err: error }, 'internal query failed');
      response.status(500).json({ error: { code: 'INTERNAL_ERROR', message: 'internal error' } });
    }
  };
}
