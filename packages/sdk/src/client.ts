import createClient, { type Client, type FetchResponse, type MaybeOptionalInit } from 'openapi-fetch';
import { AfternoonApiError } from './apiError';
import { type PaginatedItem, type PaginatedPath, paginate } from './paginate';
import { retryingFetch } from './retryingFetch';
import { defaultRetryPolicy, type RetryPolicy } from './retryPolicy';
import type { paths } from './schema';

export interface AfternoonClientOptions {
  /** `ak_live_…` or `ak_test_…`: the key decides whether live or test data is seen. */
  apiKey: string;
  /** The gateway, e.g. `http://localhost:3000`. */
  baseUrl: string;
  /** Defaults to `globalThis.fetch`. */
  fetch?: (request: Request) => Promise<Response>;
  /** Retries after the first attempt (default 3). */
  retries?: number;
  /** The rest of the retry policy: backoff, cap, and (for tests) sleep, clock and jitter. */
  retryPolicy?: Partial<Omit<RetryPolicy, 'retries'>>;
  /** A new `Idempotency-Key` for each write that has none (default `crypto.randomUUID()`). */
  idempotencyKey?: () => string;
}

type Method = 'get' | 'post' | 'patch' | 'delete';
type PathsWith<M extends Method> = {
  [P in keyof paths]: paths[P] extends Record<M, infer Operation> ? (Operation extends undefined ? never : P) : never;
}[keyof paths];
type Init<P extends keyof paths, M extends Method> = MaybeOptionalInit<paths[P], M>;
/** The init argument, optional when nothing in it is required (no path parameter, no body). */
type InitArgs<P extends keyof paths, M extends Method> =
  undefined extends Init<P, M> ? [init?: Init<P, M>] : [init: Init<P, M>];
/** The success answer of `M P`. */
export type Answer<P extends keyof paths, M extends Method> = NonNullable<
  FetchResponse<paths[P][M] & Record<string | number, unknown>, Init<P, M>, `${string}/${string}`>['data']
>;

type Call<M extends Method> = <P extends PathsWith<M>>(path: P, ...init: InitArgs<P, M>) => Promise<Answer<P, M>>;

export interface AfternoonClient {
  get: Call<'get'>;
  post: Call<'post'>;
  patch: Call<'patch'>;
  delete: Call<'delete'>;
  /** Every item of a cursor-paginated list, page after page. */
  paginate<P extends PaginatedPath>(path: P, ...init: InitArgs<P, 'get'>): AsyncIterable<PaginatedItem<P>>;
  /** The underlying openapi-fetch client (same key, retries and idempotency), answering `{data, error, response}`. */
  raw: Client<paths>;
}

/** A typed client of the Afternoon API: bearer auth, idempotent writes, retries with backoff, typed errors. */
export function createAfternoonClient(options: AfternoonClientOptions): AfternoonClient {
  const policy: RetryPolicy = {
    ...defaultRetryPolicy,
    ...options.retryPolicy,
    retries: options.retries ?? defaultRetryPolicy.retries,
  };
  const baseFetch = options.fetch ?? ((request: Request) => globalThis.fetch(request));
  const raw = createClient<paths>({
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    headers: { Authorization: `Bearer ${options.apiKey}` },
    fetch: retryingFetch(baseFetch, policy, options.idempotencyKey ?? (() => globalThis.crypto.randomUUID())),
  });
  const call =
    (method: Uppercase<Method>) =>
    async (path: string, init?: object): Promise<never> => {
      const request = raw.request as (m: string, p: string, i?: object) => Promise<FetchResponse<never, never, never>>;
      const { data, error, response } = await request(method, path, init);
      if (error !== undefined || !response.ok) {
        throw new AfternoonApiError(response.status, error, response.headers.get('x-request-id'));
      }
      return data as never;
    };
  const client: AfternoonClient = {
    get: call('GET'),
    post: call('POST'),
    patch: call('PATCH'),
    delete: call('DELETE'),
    paginate: (path, ...init) => paginate(client.get as never, path, init[0]),
    raw,
  };
  return client;
}
