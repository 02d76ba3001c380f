import type { Express } from 'express';

/** One route the gateway serves, as Express matches it: `GET /v1/customers/:id`. */
export interface ServedRoute {
  method: string;
  path: string;
}

interface RouterLayer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle: { stack?: RouterLayer[] };
  rawPath?: string | string[];
  slash?: boolean;
}

/**
 * Every method and path the app's router stack serves, read from Express itself (nested routers included), so a
 * route added later cannot be missed by whatever walks the table (the hostile-input suite does).
 */
export function servedRoutes(app: Express): ServedRoute[] {
  const stack = (app as unknown as { router: { stack: RouterLayer[] } }).router.stack;
  return routesOf(stack, '');
}

function routesOf(stack: RouterLayer[], prefix: string): ServedRoute[] {
  return stack.flatMap((layer) => {
    if (layer.route) {
      return pathsOf(layer.route.path).flatMap((path) =>
        Object.keys(layer.route?.methods ?? {})
          .filter((method) => method !== '_all')
          .map((method) => ({ method: method.toUpperCase(), path: `${prefix}${path}` })),
      );
    }
    if (!layer.handle.stack) return [];
    const mount = layer.slash ? '' : pathsOf(layer.rawPath ?? '')[0];
    return routesOf(layer.handle.stack, `${prefix}${mount}`);
  });
}

function pathsOf(path: string | string[]): string[] {
  return Array.isArray(path) ? path : [path];
}
