import { Router } from 'express';
import type { RouteDeps } from '../routeDeps';

/** `/v1/invoices`: writes become commands to invoicing-service, reads ask its read API. */
export function invoiceRoutes(_deps: RouteDeps): Router {
  return Router();
}
