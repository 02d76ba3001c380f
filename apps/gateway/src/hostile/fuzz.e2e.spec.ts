import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster } from '../../test/testCluster';
import type { Fixtures } from './fixtures';
import type { HostileCase } from './hostileRequests';
import { bodyCases, fieldCases, namedCases, propertyCases } from './routeCases';
import { routeDescriptions, routeKey } from './routeDescriptions';
import { routeUnderFuzz } from './routeUnderFuzz';
import { type Failure, type KnownState, trial } from './trial';

// Fixed so a failure replays exactly: fc.assert(…, { seed: fuzzSeed, numRuns: runsPerRoute }).
const fuzzSeed = 20_261_105;
const runsPerRoute = 12;

describe(`every route the gateway serves, fuzzed (fast-check seed ${fuzzSeed}, ${runsPerRoute} runs a route)`, () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    cluster = await startTestCluster({ withNotificationService: true });
  });
  afterAll(async () => {
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
        if (failure) failures.push(failure);
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
