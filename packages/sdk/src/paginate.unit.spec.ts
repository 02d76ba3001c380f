import { describe, expect, expectTypeOf, it } from 'vitest';
import { createAfternoonClient } from './client';
import type { components } from './schema';

const customer = (id: string) => ({ id, name: `Customer ${id}` });
const page = (ids: string[], nextCursor: string | null) => ({
  success: true,
  customers: ids.map(customer),
  pagination: { has_more: nextCursor !== null, next_cursor: nextCursor },
  request_id: 'req_1',
});

/** A gateway with the pages of `/v1/customers` by cursor (`''` for the first), recording the URLs asked for. */
function pagedGateway(pages: Record<string, unknown>) {
  const asked: URL[] = [];
  const client = createAfternoonClient({
    apiKey: 'ak_test_key',
    baseUrl: 'http://gateway.test',
    fetch: async (request) => {
      const url = new URL(request.url);
      asked.push(url);
      return Response.json(pages[url.searchParams.get('cursor') ?? '']);
    },
  });
  return { client, asked };
}

describe('paginate', () => {
  it('yields every item of every page, asking each with the previous next_cursor and the same filters', async () => {
    const { client, asked } = pagedGateway({
      '': page(['a', 'b'], 'c1'),
      c1: page(['c', 'd'], 'c2'),
      c2: page(['e'], null),
    });
    const names: string[] = [];
    for await (const item of client.paginate('/v1/customers', { params: { query: { limit: 2, email: 'x@y.z' } } })) {
      expectTypeOf(item).toEqualTypeOf<components['schemas']['Customer']>();
      names.push(item.id);
    }
    expect(names).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(asked.map((url) => url.searchParams.get('cursor'))).toEqual([null, 'c1', 'c2']);
    expect(
      asked.every((url) => url.searchParams.get('limit') === '2' && url.searchParams.get('email') === 'x@y.z'),
    ).toBe(true);
  });

  it('asks one page of an empty list', async () => {
    const { client, asked } = pagedGateway({ '': page([], null) });
    const items = [];
    for await (const item of client.paginate('/v1/customers')) items.push(item);
    expect(items).toEqual([]);
    expect(asked).toHaveLength(1);
  });

  it('stops early when the caller breaks, asking no further page', async () => {
    const { client, asked } = pagedGateway({ '': page(['a', 'b'], 'c1'), c1: page(['c'], null) });
    for await (const item of client.paginate('/v1/customers')) if (item.id === 'a') break;
    expect(asked).toHaveLength(1);
  });

  it('pages only routes that answer pagination, typed by the route', () => {
    const client = createAfternoonClient({ apiKey: 'k', baseUrl: 'http://gateway.test' });
    expectTypeOf(client.paginate('/v1/invoices')).toEqualTypeOf<AsyncIterable<components['schemas']['Invoice']>>();
    // @ts-expect-error a route without a cursor is not paginated
    client.paginate('/v1/customers/{id}/usage', { params: { path: { id: 'x' } } });
  });
});
