import { routeDescriptions } from '../hostile/routeDescriptions';
import type { RouteFuzz } from '../hostile/routeFuzz';

/**
 * What the public document leaves out of the served routes, and why (ADR 0023): the operator's admin API (its own
 * token, often its own port), the operational endpoints, the hosted invoice pages (HTML for browsers, not API) and
 * the reference itself.
 */
const undocumented = [
  /^\/v1\/admin\//,
  /^\/(healthz|readyz|metrics)$/,
  /^\/inv\//,
  /^\/openapi\.json$/,
  /^\/docs(\/|$)/,
];

/** One route of the public document, read from the route table: `POST /v1/customers` and its contracts. */
export interface DocumentedRoute {
  key: string;
  method: string;
  /** As Express matches it: `/v1/customers/:id`. */
  path: string;
  contracts: RouteFuzz;
}

/** Whether a served path belongs in the public document. */
export function isDocumented(path: string): boolean {
  return !undocumented.some((pattern) => pattern.test(path));
}

/** The route table's public routes: every route the gateway serves but those `isDocumented` leaves out. */
export function documentedRoutes(): DocumentedRoute[] {
  return Object.entries(routeDescriptions).flatMap(([key, contracts]) => {
    const [method = '', path = ''] = key.split(' ');
    return isDocumented(path) ? [{ key, method, path, contracts }] : [];
  });
}

/** `/v1/customers/:id` as OpenAPI writes it: `/v1/customers/{id}`. */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z_]+)/g, '{$1}');
}
