import type { Application } from 'express';

/** What Express keeps of a route or a mounted router, read to answer a 405; Express does not type it. */
interface RouterLayer {
  route?: { _methods(): string[] };
  handle: { stack?: RouterLayer[] };
  slash: boolean;
  matchers: ((path: string) => false | { path: string })[];
}

/**
 * The methods the app's routes serve at `path` (GET brings HEAD), read from Express's own router so the `Allow`
 * header of a 405 cannot drift from the routes. Empty when no route serves the path at all.
 */
export function methodsServing(app: Application, path: string): string[] {
  const methods = new Set<string>();
  collectMethods((app as unknown as { router: { stack: RouterLayer[] } }).router.stack, path, methods);
  return [...methods].sort();
}

function collectMethods(stack: RouterLayer[], path: string, methods: Set<string>): void {
  for (const layer of stack) {
    if (layer.route) {
      if (matchOf(layer, path)) for (const method of layer.route._methods()) methods.add(method);
    } else if (layer.handle.stack) {
      const mount = layer.slash ? { path: '' } : matchOf(layer, path);
      if (mount) collectMethods(layer.handle.stack, path.slice(mount.path.length) || '/', methods);
    }
  }
}

function matchOf(layer: RouterLayer, path: string): false | { path: string } {
  for (const matcher of layer.matchers) {
    const match = matcher(path);
    if (match) return match;
  }
  return false;
}
