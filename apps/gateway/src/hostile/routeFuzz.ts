import type { z } from 'zod';
import type { Fixture, Fixtures } from './fixtures';

/** How the suite fuzzes one served route; every route the gateway serves has one (see `routeKey`). */
export interface RouteFuzz {
  /** Whose credentials the route takes: an API key (`test key`: test mode only), the admin token, or none. */
  auth: 'key' | 'test key' | 'admin' | 'none';
  /** Each path parameter and the fixture that gives it a real value. */
  params?: Record<string, Fixture>;
  /** The JSON body's contract; a write route without one takes no body. */
  body?: z.ZodType;
  /** The query's contract; a read route without one takes no query. */
  query?: z.ZodType;
  /** A body the contract accepts for the fixtures, for the tenancy matrix. */
  sample?: (fixtures: Fixtures) => unknown;
  /** A query the contract accepts, where the route needs one (the tenancy matrix sends it). */
  sampleQuery?: string;
  /** GET paths (same credentials) whose answers a refused request must leave unchanged: the route's state. */
  readBack?: (fixtures: Fixtures) => string[];
  /** Its read-back state is every organization's (the organization list): fuzzed alone, not beside other routes. */
  sharedState?: true;
  /** Answers HTML pages for browsers (its 404 is a page, not the envelope). */
  pages?: true;
}

export const routeKey = (method: string, path: string) => `${method} ${path}`;
