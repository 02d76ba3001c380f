import { parse as parseQuery } from 'node:querystring';
import fc from 'fast-check';
import type { RawRequest } from '../../test/rawRequest';
import type { Fixtures } from './fixtures';
import { bodyText, type HostileBody } from './hostileValues';
import type { RouteFuzz } from './routeDescriptions';

/**
 * One request to send and what it must get: `refuse` (a 4xx), `contract` (anything but a 5xx: the contract accepts
 * it, the domain may still refuse), or `authorized` (anything but a 401).
 */
export interface HostileCase {
  kind: string;
  request: RawRequest;
  expect: 'refuse' | 'contract' | 'authorized';
}

/** What a route is, for making requests to it: its method and path, description, fixtures and credentials. */
export interface RouteUnderFuzz {
  method: string;
  path: string;
  fuzz: RouteFuzz;
  fixtures: Fixtures;
  authorization?: string;
}

/** Path values no resource can have (malformed or overlong percent-encoding, NUL, traversal, …): always 404. */
export const hostilePathValues = [
  '%E0%A4%A',
  '%C0%AF',
  '%00',
  '%FF',
  '%ED%A0%80',
  '..%2F..%2Fv1%2Fadmin%2Forganizations',
  '%27%3B%20DROP%20TABLE%20customers%3B--',
  'a'.repeat(3000),
  'aaaaaaaaaaaaaaaaaaaaaaaaa',
  '%F0%9F%92%B8',
  '%20',
];

const hostileQueryValues = ['%00', '%E0%A4%A', '%FF', '%ED%A0%80', 'x'.repeat(5000), '-1', '1e308', '9007199254740993'];

/** The route's path with each parameter given (already encoded) or taken from its fixture. */
export function pathOf(route: RouteUnderFuzz, given: Record<string, string> = {}): string {
  return route.path.replace(/:(\w+)/g, (_match, name: string) => {
    const fixture = route.fuzz.params?.[name];
    return given[name] ?? (fixture ? encodeURIComponent(route.fixtures[fixture]) : name);
  });
}

export function requestTo(route: RouteUnderFuzz, parts: Partial<RawRequest> & { query?: string }): RawRequest {
  const { query, ...rest } = parts;
  return {
    method: route.method,
    target: `${pathOf(route)}${query ? `?${query}` : ''}`,
    ...rest,
    headers: { ...(route.authorization ? { authorization: route.authorization } : {}), ...parts.headers },
  };
}

/** Whether `text` is a body the route's contract takes as it is: JSON, exact, storable and valid. */
export function contractTakes(fuzz: RouteFuzz, text: string): boolean {
  if (!fuzz.body) return false;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return false;
  }
  return !unstorable(value) && fuzz.body.safeParse(value).success;
}

/** Whether the query text (as Express's simple parser reads it) is one the route's contract takes. */
export function queryTakes(fuzz: RouteFuzz, query: string): boolean {
  if (!fuzz.query) return true;
  const parsed = parseQuery(query);
  return !unstorable(parsed) && fuzz.query.safeParse({ ...parsed }).success;
}

// JSON.stringify escapes exactly NUL and lone surrogates this way: what Postgres cannot store.
function unstorable(value: unknown): boolean {
  return /\\u0000|\\ud[89a-f][0-9a-f]{2}/i.test(JSON.stringify(value) ?? '');
}

/** A query for the route: contract-shaped values, one key (of the contract's, or unknown) sometimes hostile. */
export function queryArbitrary(valid: fc.Arbitrary<unknown>, keys: string[]): fc.Arbitrary<string> {
  const hostile = fc.tuple(fc.constantFrom(...keys, 'zz_unknown'), fc.constantFrom(...hostileQueryValues));
  const repeated = fc.integer({ min: 0, max: 4 }).map((draw) => draw === 0);
  return fc.tuple(valid, fc.option(hostile, { nil: undefined }), repeated).map(([value, extra, duplicate]) => {
    const encoded = Object.fromEntries(
      Object.entries((value ?? {}) as Record<string, unknown>).map(([key, item]) => [
        key,
        encodeURIComponent(typeof item === 'string' ? item : JSON.stringify(item)),
      ]),
    );
    if (extra) encoded[extra[0]] = extra[1];
    const pairs = Object.entries(encoded).map(([key, item]) => `${key}=${item}`);
    if (duplicate && pairs[0]) pairs.push(pairs[0]);
    return pairs.join('&');
  });
}

/** A JSON body as sent: its text, encoding and content type. */
export function jsonBody(body: HostileBody) {
  const text = bodyText(body.value);
  return { text, request: { headers: { 'content-type': 'application/json' }, body: Buffer.from(text) } };
}
