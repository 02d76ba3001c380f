import fc from 'fast-check';
import { bodyEncodings, duplicatedKey } from './bodyEncodings';
import { contractArbitrary, contractKeys } from './contractArbitrary';
import {
  contractTakes,
  type HostileCase,
  hostilePathValues,
  jsonBody,
  pathOf,
  queryArbitrary,
  queryTakes,
  type RouteUnderFuzz,
  requestTo,
} from './hostileRequests';
import { bodyText, inexactNumbers, mutated, pathsOf, rawNumber, replaceAt } from './hostileValues';

const oddMethods = ['PUT', 'TRACE', 'PROPFIND'];

/** The enumerated hostile requests for a route: credentials, methods and path bytes (before the property runs). */
export function namedCases(route: RouteUnderFuzz, servedMethods: string[], apiKey: string): HostileCase[] {
  const sample = sampleText(route);
  const withSample = route.fuzz.body
    ? { headers: { 'content-type': 'application/json' }, body: Buffer.from(sample) }
    : {};
  const cases: HostileCase[] = [];
  if (route.fuzz.auth !== 'none') {
    cases.push({ kind: 'no credentials', expect: 'refuse', request: { ...requestTo(route, withSample), headers: {} } });
    const wrong = route.fuzz.auth === 'admin' ? `Bearer ${apiKey}` : 'Bearer ak_live_000000000000000000000000';
    cases.push({
      kind: 'wrong credentials',
      expect: 'refuse',
      request: withAuthorization(requestTo(route, withSample), wrong),
    });
    if (route.method === 'GET' && route.authorization)
      cases.push({
        kind: 'lower-case bearer scheme',
        expect: 'authorized',
        request: withAuthorization(requestTo(route, {}), route.authorization.replace('Bearer', 'bearer')),
      });
  }
  if (route.fuzz.query) {
    const query = (text: string) => requestTo(route, { query: text });
    cases.push({ kind: 'repeated query parameter', expect: 'refuse', request: query('limit=5&limit=6') });
    for (const key of contractKeys(route.fuzz.query))
      cases.push({ kind: `NUL in query ${key}`, expect: 'refuse', request: query(`${key}=%00`) });
  }
  for (const method of oddMethods.filter((odd) => !servedMethods.includes(odd)))
    cases.push({ kind: `${method} method`, expect: 'refuse', request: { ...requestTo(route, {}), method } });
  for (const name of Object.keys(route.fuzz.params ?? {}))
    for (const value of hostilePathValues)
      cases.push({
        kind: pathKind(name, value),
        expect: 'refuse',
        request: { ...requestTo(route, withSample), target: pathOf(route, { [name]: value }) },
      });
  return cases;
}

/** The body encodings, charsets and JSON oddities for a write route (those the contract takes may succeed). */
export function bodyCases(route: RouteUnderFuzz): HostileCase[] {
  if (route.method === 'GET') return [];
  const sample = sampleText(route);
  // A route that takes no body must refuse one that is not JSON; what it does with a JSON one is its own affair.
  const refused = (encoding: { refuse: boolean; json?: true }) =>
    route.fuzz.body ? encoding.refuse || !contractTakes(route.fuzz, sample) : encoding.refuse && !encoding.json;
  const encodings = bodyEncodings(sample)
    .filter((encoding) => encoding.refuse || route.fuzz.body)
    .map<HostileCase>((encoding) => ({
      kind: encoding.kind,
      expect: refused(encoding) ? 'refuse' : 'contract',
      request: requestTo(route, { headers: encoding.headers, body: encoding.body }),
    }));
  const duplicates = ['[[]]', '"\\u0000"', '9007199254740993'].flatMap((hostile) => {
    const first = duplicatedKey(sample, hostile);
    const last = first && `${sample.slice(0, -1)},${first.slice(1, first.indexOf(':'))}:${hostile}}`;
    return route.fuzz.body && first && last
      ? [
          { text: first, inexact: false },
          { text: last, inexact: hostile === '9007199254740993' },
        ].map<HostileCase>(({ text, inexact }) => ({
          kind: `duplicated key ${hostile}`,
          expect: contractTakes(route.fuzz, text) && !inexact ? 'contract' : 'refuse',
          request: requestTo(route, { headers: { 'content-type': 'application/json' }, body: Buffer.from(text) }),
        }))
      : [];
  });
  return [...encodings, ...duplicates];
}

/**
 * Each number of the route's sample as a literal JSON cannot carry exactly, each string with a NUL or a lone
 * surrogate, and blank (spaces only) where the contract refuses it empty: whichever field it is, the request must be
 * refused, never bent or half-stored.
 */
export function fieldCases(route: RouteUnderFuzz): HostileCase[] {
  const sample = route.fuzz.sample?.(route.fixtures);
  if (sample === undefined) return [];
  const json = (value: unknown) => ({
    headers: { 'content-type': 'application/json' },
    body: Buffer.from(bodyText(value)),
  });
  return pathsOf(sample).flatMap((path) =>
    fieldVariants(path.reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], sample))
      .filter((variant) => !variant.blank || !contractTakes(route.fuzz, bodyText(replaceAt(sample, path, ''))))
      .map<HostileCase>((variant) => ({
        kind: `${variant.kind} at ${path.join('.')}`,
        expect: 'refuse',
        request: requestTo(route, json(replaceAt(sample, path, variant.value))),
      })),
  );
}

function fieldVariants(value: unknown): { kind: string; value: unknown; blank?: true }[] {
  if (typeof value === 'number')
    return inexactNumbers.map((literal) => ({ kind: `inexact number ${literal}`, value: rawNumber(literal) }));
  if (typeof value !== 'string') return [];
  return [
    { kind: 'NUL in a string', value: `${value}\u0000` },
    { kind: 'lone surrogate in a string', value: `${value}\ud800` },
    { kind: 'blank string', value: '   ', blank: true },
  ];
}

/** Contract-derived, mutated requests: body from the body contract, query from the query contract, odd path values. */
export function propertyCases(route: RouteUnderFuzz): fc.Arbitrary<HostileCase> {
  const { fuzz } = route;
  const body = fuzz.body ? mutated(contractArbitrary(fuzz.body)) : fc.constant(undefined);
  const query = fuzz.query
    ? queryArbitrary(contractArbitrary(fuzz.query), contractKeys(fuzz.query))
    : fc.constantFrom('', 'q=%00', 'expand=%E0%A4%A', 'limit=9007199254740993');
  const params = Object.keys(fuzz.params ?? {});
  const param = params.length
    ? fc.option(fc.tuple(fc.constantFrom(...params), fc.constantFrom(...hostilePathValues)), {
        nil: undefined,
        freq: 4,
      })
    : fc.constant(undefined);
  return fc.tuple(body, query, param).map(([generated, queryText, hostileParam]) => {
    const sent = generated ? jsonBody(generated) : undefined;
    const target = `${pathOf(route, hostileParam ? { [hostileParam[0]]: hostileParam[1] } : {})}${queryText ? `?${queryText}` : ''}`;
    const refused =
      hostileParam !== undefined ||
      (generated !== undefined && (generated.mustRefuse || !contractTakes(fuzz, sent?.text ?? ''))) ||
      (route.method === 'GET' && !queryTakes(fuzz, queryText));
    return {
      kind: hostileParam ? pathKind(...hostileParam) : (generated?.kind ?? 'query'),
      expect: refused ? 'refuse' : 'contract',
      request: { ...requestTo(route, sent?.request ?? {}), target },
    };
  });
}

function pathKind(name: string, value: string): string {
  return `path ${name} ${value.length > 40 ? `${value.slice(0, 8)}… (${value.length})` : value}`;
}

function sampleText(route: RouteUnderFuzz): string {
  return bodyText(route.fuzz.sample?.(route.fixtures) ?? {});
}

function withAuthorization(request: HostileCase['request'], authorization: string): HostileCase['request'] {
  return { ...request, headers: { ...request.headers, authorization } };
}
