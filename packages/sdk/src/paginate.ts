import type { MaybeOptionalInit } from 'openapi-fetch';
import type { paths } from './schema';

type GetPath = {
  [P in keyof paths]: paths[P] extends { get: { responses: { 200: unknown } } } ? P : never;
}[keyof paths];
type ListAnswer<P extends GetPath> = paths[P]['get']['responses'][200]['content']['application/json'];

/** The list routes that page with `cursor` and answer `pagination: {has_more, next_cursor}`. */
export type PaginatedPath = {
  [P in GetPath]: ListAnswer<P> extends { pagination: { next_cursor: unknown } } ? P : never;
}[GetPath];

/** What a paginated list holds: its answer's one array (`customers`, `invoices`, …). */
export type PaginatedItem<P extends PaginatedPath> = {
  [K in keyof ListAnswer<P>]: ListAnswer<P>[K] extends readonly (infer Item)[] ? Item : never;
}[keyof ListAnswer<P>];

interface Page {
  pagination: { has_more: boolean; next_cursor: string | null };
  [key: string]: unknown;
}

type GetPage = (path: string, init: object) => Promise<Page>;

/** Asks for pages of `path` with `init`'s filters, each with the previous page's `next_cursor`, yielding their items. */
export async function* paginate<P extends PaginatedPath>(
  get: GetPage,
  path: P,
  init: MaybeOptionalInit<paths[P], 'get'> | undefined,
): AsyncGenerator<PaginatedItem<P>> {
  const params = (init as { params?: { query?: object; path?: object } } | undefined)?.params ?? {};
  let cursor: string | undefined;
  do {
    const query = cursor === undefined ? params.query : { ...params.query, cursor };
    const page = await get(path, { ...init, params: { ...params, query } });
    yield* itemsOf(page) as PaginatedItem<P>[];
    cursor = page.pagination.has_more ? (page.pagination.next_cursor ?? undefined) : undefined;
  } while (cursor !== undefined);
}

function itemsOf(page: Page): unknown[] {
  const lists = Object.values(page).filter(Array.isArray);
  if (lists.length !== 1) throw new Error(`expected one list in a page, found ${lists.length}`);
  return lists[0] as unknown[];
}
