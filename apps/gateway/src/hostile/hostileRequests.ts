import { parse as parseQuery } from 'node:querystring';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import type { Fixtures } from './fixtures';
import { bodyText, type HostileBody } from './hostileValues';
import type { RawRequest } from './rawRequest';
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

/** A query for the route: contract-shaped values (each key from its contract) mixed with hostile ones. */
export function queryArbitrary(fuzz: RouteFuzz, valid: fc.Arbitrary<unknown>): fc.Arbitrary<string> {
  const hostile = fc.tuple(fc.constantFrom(...hostileQueryValues), fc.constantFrom('limit', 'cursor', 'zz_unknown'));
  return fc.tuple(valid, fc.option(hostile, { nil: undefined }), fc.boolean()).map(([value, extra, duplicate]) => {
    const pairs = Object.entries((value ?? {}) as Record<string, unknown>).map(
      ([key, item]) => `${key}=${encodeURIComponent(typeof item === 'string' ? item : JSON.stringify(item))}`,
    );
    if (extra) pairs.push(`${fuzz.query ? extra[1] : 'q'}=${extra[0]}`);
    if (duplicate && pairs[0]) pairs.push(pairs[0]);
    return pairs.join('&');
  });
}

/** A JSON body as sent: its text, encoding and content type. */
export function jsonBody(body: HostileBody) {
  const text = bodyText(body.value);
  return { text, request: { headers: { 'content-type': 'application/json' }, body: Buffer.from(text) } };
}

/** Every way of sending `text` that is not plain UTF-8 JSON, and whether it must be refused. */
export function bodyEncodings(
  text: string,
): { kind: string; headers: Record<string, string>; body: Buffer; refuse: boolean; json?: true }[] {
  const json = { 'content-type': 'application/json' };
  const utf8 = Buffer.from(text);
  return [
    { kind: 'text/plain body', headers: { 'content-type': 'text/plain' }, body: utf8, refuse: true },
    {
      kind: 'form body',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: Buffer.from('name=Form'),
      refuse: true,
    },
    {
      kind: 'multipart body',
      headers: { 'content-type': 'multipart/form-data; boundary=b' },
      body: Buffer.from('--b\r\nContent-Disposition: form-data; name="name"\r\n\r\nx\r\n--b--\r\n'),
      refuse: true,
    },
    { kind: 'no content type', headers: {}, body: utf8, refuse: true },
    {
      kind: 'charset latin1',
      headers: { 'content-type': 'application/json; charset=latin1' },
      body: utf8,
      refuse: true,
    },
    {
      kind: 'charset utf-16',
      headers: { 'content-type': 'application/json; charset=utf-16' },
      body: Buffer.from(text, 'utf16le'),
      refuse: false,
    },
    { kind: 'gzip header, plain body', headers: { ...json, 'content-encoding': 'gzip' }, body: utf8, refuse: true },
    {
      kind: 'unknown content encoding',
      headers: { ...json, 'content-encoding': 'compress' },
      body: utf8,
      refuse: true,
    },
    { kind: 'malformed JSON', headers: json, body: Buffer.from(`${text.slice(0, -1)},`), refuse: true },
    { kind: 'JSON array body', headers: json, body: Buffer.from(`[${text}]`), refuse: true, json: true },
    {
      kind: 'deep nesting',
      headers: { ...json, 'idempotency-key': 'deep-nesting' },
      body: Buffer.from(`${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`),
      refuse: true,
      json: true,
    },
    {
      kind: 'deep array nesting',
      headers: json,
      body: Buffer.from(`${'['.repeat(10_000)}${']'.repeat(10_000)}`),
      refuse: true,
      json: true,
    },
    {
      kind: 'body over 1 MiB',
      headers: json,
      body: Buffer.from(JSON.stringify({ name: 'x'.repeat(1_100_000) })),
      refuse: true,
      json: true,
    },
    {
      kind: 'charset utf-8',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: utf8,
      refuse: false,
    },
    { kind: 'gzip body', headers: { ...json, 'content-encoding': 'gzip' }, body: gzipSync(utf8), refuse: false },
    {
      kind: 'deflate body',
      headers: { ...json, 'content-encoding': 'deflate' },
      body: deflateSync(utf8),
      refuse: false,
    },
    {
      kind: 'brotli body',
      headers: { ...json, 'content-encoding': 'br' },
      body: brotliCompressSync(utf8),
      refuse: false,
    },
  ];
}

/** `text` (a JSON object) with its first key also written before it, holding `first`: JSON's last one wins. */
export function duplicatedKey(text: string, first: string): string | undefined {
  const match = /^\{("(?:[^"\\]|\\.)*"):/.exec(text);
  return match ? `{${match[1]}:${first},${text.slice(1)}` : undefined;
}
