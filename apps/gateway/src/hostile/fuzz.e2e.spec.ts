import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster } from '../testing/testCluster';
import type { Fixtures } from './fixtures';
import type { HostileCase } from './hostileRequests';
import { bodyCases, fieldCases, namedCases, propertyCases } from './routeCases';
import { routeDescriptions, routeKey } from './routeDescriptions';
import { routeUnderFuzz } from './routeUnderFuzz';
import { type Failure, type KnownState, trial } from './trial';

/**
 * Hostile requests known to fail until another part of issue 11 is merged, each naming the helper area that fixes it
 * and what it answers today. The lead empties this list after merging; until then these are reported, not failed.
 */
const knownEdgeGaps: { route: string; kind: string | RegExp; area: string; observed: string }[] = [
  // Every route with a path parameter (/inv/:token too): Express cannot decode the value.
  {
    route: '*',
    kind: /^path \w+ (%E0%A4%A|%C0%AF|%FF|%ED%A0%80)$/,
    area: 'edge (percent-encoding)',
    observed: '500 INTERNAL_ERROR',
  },
  // Every POST/PATCH/DELETE route: body-parser's 415/400 errors reach the error handler as unknown errors.
  { route: '*', kind: 'charset latin1', area: 'edge (charset)', observed: '500 INTERNAL_ERROR' },
  { route: '*', kind: 'gzip header, plain body', area: 'edge (gzip)', observed: '500 INTERNAL_ERROR' },
  { route: '*', kind: 'unknown content encoding', area: 'edge (gzip)', observed: '500 INTERNAL_ERROR' },
  // Every GET route behind an API key or the admin token.
  { route: '*', kind: 'lower-case bearer scheme', area: 'edge (bearer case)', observed: '401 UNAUTHORIZED' },
  // The nine command routes that take no body (DELETE, archive, finalize, pay, void, mark_uncollectible): the body is
  // still fingerprinted for Idempotency-Key, recursively.
  { route: '*', kind: 'deep nesting', area: 'edge (deep JSON)', observed: '500 INTERNAL_ERROR' },
  // Ingest parses event properties with JSON.parse: a number it cannot carry exactly is stored rounded.
  {
    route: 'POST /v1/events/ingest',
    kind: /^inexact number .* at events\.0\.properties\.tokens$/,
    area: 'edge (exact numbers)',
    observed: '200, the number rounded',
  },
  // Every numeric body field (quantity, unit_amount_cents, amount_cents, days_until_due, billing_anchor_day,
  // invoice_grace_period_seconds): 1.00000000000000000001 parses to exactly 1 and is taken as 1.
  {
    route: '*',
    kind: /^inexact number 1\.00000000000000000001 at /,
    area: 'edge (exact numbers)',
    observed: '200/201, taken as 1',
  },
  // Whitespace-only event names and usage idempotency keys pass `min(1)`.
  ...['events.0.event_name', 'events.0.idempotency_key'].map((field) => ({
    route: 'POST /v1/events/ingest',
    kind: `blank string at ${field}`,
    area: 'edge (blank names)',
    observed: '200 accepted',
  })),
  { route: 'POST /v1/meters', kind: 'blank string at event_name', area: 'edge (blank names)', observed: '201 created' },
  // The six PATCH routes, the admin revoke route and the body-less command routes (DELETE, archive, finalize) answer
  // 200 and ignore the body.
  ...['text/plain body', 'form body', 'multipart body', 'no content type'].map((kind) => ({
    route: '*',
    kind,
    area: 'edge (non-JSON bodies)',
    observed: '200, body ignored',
  })),
];

// Fixed so a failure replays exactly: fc.assert(…, { seed: fuzzSeed, numRuns: runsPerRoute }).
const fuzzSeed = 20_261_105;
const runsPerRoute = 12;

const matches = (gap: (typeof knownEdgeGaps)[number], failure: Failure) =>
  (gap.route === '*' || gap.route === failure.route) &&
  (typeof gap.kind === 'string' ? gap.kind === failure.kind : gap.kind.test(failure.kind));
const isKnownGap = (failure: Failure) => knownEdgeGaps.some((gap) => matches(gap, failure));

describe(`every route the gateway serves, fuzzed (fast-check seed ${fuzzSeed}, ${runsPerRoute} runs a route)`, () => {
  let cluster: TestCluster;
  const knownSeen: Failure[] = [];

  beforeAll(async () => {
    cluster = await startTestCluster();
  });
  afterAll(async () => {
    const stale = knownEdgeGaps.filter((gap) => !knownSeen.some((failure) => matches(gap, failure)));
    if (stale.length)
      console.warn(`known edge gaps no longer seen, to remove: ${stale.map((gap) => gap.kind).join(', ')}`);
    if (knownSeen.length)
      console.info(`known edge gaps hit (${knownSeen.length}):\n${knownSeen.map(format).join('\n')}`);
    await cluster?.stop();
  });

  it('has a fuzz description for every served route, and none for a route it does not serve', () => {
    const served = cluster.gateway.routes().map((route) => routeKey(route.method, route.path));
    const described = Object.keys(routeDescriptions);
    expect(
      served.filter((key) => !described.includes(key)),
      'served routes without a fuzz description',
    ).toEqual([]);
    expect(
      described.filter((key) => !served.includes(key)),
      'fuzz descriptions of routes not served',
    ).toEqual([]);
  });

  it('describes every route with samples its own contracts accept', () => {
    const fixtures = new Proxy({} as Fixtures, { get: () => 'aaaaaaaaaaaaaaaaaaaaaaaaa' });
    const refused = Object.entries(routeDescriptions).flatMap(([key, fuzz]) => [
      ...(fuzz.sample && !fuzz.body?.safeParse(fuzz.sample(fixtures)).success ? [`${key} body`] : []),
      ...(fuzz.sampleQuery && !fuzz.query?.safeParse(Object.fromEntries(new URLSearchParams(fuzz.sampleQuery))).success
        ? [`${key} query`]
        : []),
    ]);
    expect(refused).toEqual([]);
  });

  // Each route has an organization of its own, so routes are fuzzed side by side; those whose state is every
  // organization's come first, alone.
  const routes = Object.entries(routeDescriptions).sort(
    ([, a], [, b]) => Number(!!b.sharedState) - Number(!!a.sharedState),
  );
  for (const [key, fuzz] of routes) {
    const test = fuzz.sharedState ? it : it.concurrent;
    test(`${key}: no 5xx, the error envelope on every 4xx, nothing half-accepted, nothing changed by a refusal`, {
      timeout: 180_000,
    }, async ({ expect }) => {
      const { route, org } = await routeUnderFuzz(cluster, key, fuzz);
      const servedMethods = cluster.gateway
        .routes()
        .filter((served) => served.path === route.path)
        .map((served) => served.method);
      const failures: Failure[] = [];
      const known: KnownState = {};
      const judge = async (hostile: HostileCase) => {
        const failure = await trial(cluster.gateway.port, route, hostile, known);
        if (failure) (isKnownGap(failure) ? knownSeen : failures).push(failure);
      };
      // The enumerated cases first, while the route's resource is untouched (a DELETE the property sends may end it).
      const enumerated = [
        ...namedCases(route, servedMethods, org.keys.live),
        ...fieldCases(route),
        ...bodyCases(route),
      ];
      for (const hostile of enumerated) await judge(hostile);
      await fc.assert(
        fc.asyncProperty(propertyCases(route), async (hostile) => {
          await judge(hostile);
        }),
        { seed: fuzzSeed, numRuns: runsPerRoute },
      );
      expect(failures.map(format), `seed ${fuzzSeed}`).toEqual([]);
    });
  }
});

function format(failure: Failure): string {
  return `${failure.route} [${failure.kind}] ${failure.problems.join('; ')} <- ${failure.request} => ${failure.observed}`;
}
