import type { TestCluster } from '../../test/testCluster';
import { type Fixture, fixturesFor, fixturesRead } from './fixtures';
import type { RouteUnderFuzz } from './hostileRequests';
import type { RouteFuzz } from './routeDescriptions';

/** The route ready to fuzz: its own organization (so no route's requests can spill into another's state), its fixtures, its credentials. */
export async function routeUnderFuzz(cluster: TestCluster, key: string, fuzz: RouteFuzz) {
  const [method = '', path = ''] = key.split(' ');
  const org = await cluster.createOrganization(`Fuzzed ${key}`);
  const needed = new Set<Fixture>([
    ...Object.values(fuzz.params ?? {}),
    ...(fuzz.readBack ? fixturesRead(fuzz.readBack) : []),
    ...(fuzz.sample ? fixturesRead(fuzz.sample) : []),
  ]);
  const fixtures = await fixturesFor(cluster, org, [...needed]);
  const authorization = {
    key: `Bearer ${org.keys.live}`,
    'test key': `Bearer ${org.keys.test}`,
    admin: `Bearer ${cluster.gateway.adminToken}`,
    none: undefined,
  }[fuzz.auth];
  const route: RouteUnderFuzz = { method, path, fuzz, fixtures, authorization };
  return { route, org };
}
