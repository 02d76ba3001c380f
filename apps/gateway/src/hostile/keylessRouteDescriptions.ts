import { type RouteFuzz, routeKey } from './routeFuzz';

/**
 * Routes anyone may call without a key (the hosted invoice pages and Stripe's receiver have their own tables): the
 * operational endpoints, and the API reference (issue 16) with its OpenAPI document and the files its page loads.
 */
export const keylessRouteDescriptions: Record<string, RouteFuzz> = {
  [routeKey('GET', '/healthz')]: { auth: 'none' },
  [routeKey('GET', '/readyz')]: { auth: 'none' },
  [routeKey('GET', '/metrics')]: { auth: 'none' },

  [routeKey('GET', '/openapi.json')]: { auth: 'none' },
  [routeKey('GET', '/docs')]: { auth: 'none', pages: true },
  [routeKey('GET', '/docs/:file')]: { auth: 'none', params: { file: 'referenceAsset' } },
};
