import { Router } from 'express';
import type { RouteDeps } from '../routeDeps';

/** `/v1/events`: usage ingestion straight onto the ingest topic, reads from metering-service. */
export function usageRoutes(_deps: RouteDeps): Router {
  return Router();
}
