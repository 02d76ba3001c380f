import type { Logger } from '@afternoon/service-kit';
import express, { type Express, type RequestHandler, type Router } from 'express';
import { databaseOutage } from './databaseOutage';
import { type BodyBudget, boundBodiesInFlight } from './http/bodiesInFlight';
import { errorHandler, unknownRoute } from './http/errorHandler';
import { jsonBody } from './http/jsonBody';
import { assignRequestId } from './http/requestContext';
import { requestLog } from './http/requestLog';
import { refuseUnreadablePath } from './http/requestPath';
import { refuseUnstorableInput } from './http/storableInput';
import type { AdminPort } from './organizations/adminPort';

/** The parts the gateway's one Express app is made of, each built by its own module. */
export interface GatewayEdge {
  logger: Logger;
  /** `/healthz`, `/readyz` and `/metrics`, answered before anything else. */
  operational: Router;
  /** Times every request after the operational routes, and traces it when tracing is on. */
  telemetry: RequestHandler;
  adminDoor: AdminPort;
  adminApi: Router[];
  hostedInvoices: Router;
  /** `/openapi.json` and `/docs`: public, no key. */
  apiReference: Router;
  /** Stripe's signed events: public, and read raw before the JSON parser (Stripe signs the exact bytes). */
  stripeWebhooks: Router;
  /** How much of request bodies is held at once (`gatewayBodyBudget` in production). */
  bodyBudget: BodyBudget;
  authenticate: RequestHandler;
  rateLimits: RequestHandler;
  publicApi: Router[];
}

/**
 * The middleware chain in the order it must run: a request is identified and logged before anything can refuse it,
 * the admin API (its own token) answers before the API-key check, and the hosted invoice pages (no key at all)
 * before it too; errors are answered last.
 */
export function gatewayApp(edge: GatewayEdge): Express {
  const app = express();
  app.disable('x-powered-by');
  // Every API answer carries its own request_id, so no two bodies match and a conditional request could never be
  // answered 304: hashing each body for an ETag (~50 µs for an hourly month's usage) bought nothing. (A hosted
  // invoice page, a few KB, is sent whole when a browser asks again.)
  app.disable('etag');
  app.set('query parser', 'simple');
  app.use(edge.operational);
  app.use(edge.telemetry, assignRequestId, requestLog(edge.logger));
  app.use('/v1/admin', edge.adminDoor.adminOnly);
  app.use(refuseUnreadablePath);
  app.use(boundBodiesInFlight(edge.bodyBudget));
  app.use(edge.stripeWebhooks);
  app.use(jsonBody, refuseUnstorableInput);
  app.use(edge.adminApi);
  // An admin request no admin route serves ends here, not at the API-key check below.
  app.use('/v1/admin', unknownRoute);
  app.use(edge.adminDoor.adminPortServesNothingElse);
  app.use(edge.hostedInvoices);
  app.use(edge.apiReference);
  app.use('/v1', edge.authenticate, edge.rateLimits);
  app.use(edge.publicApi);
  app.use(unknownRoute, databaseOutage, errorHandler(edge.logger));
  return app;
}
