import { ValidationError } from './errors';
import { SqlParameters, type SqlQuery } from './postgres/sqlParameters';

/** An opaque cursor for keyset pagination on (sort value, unique id), e.g. (created_at, id). */
export function encodeCursor(sortValue: string, id: string): string {
  return Buffer.from(JSON.stringify([sortValue, id])).toString('base64url');
}

/** The (sort value, id) pair of a cursor from `encodeCursor`; anything else is a validation error on `cursor`. */
export function decodeCursor(cursor: string): [string, string] {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString());
    if (Array.isArray(value) && typeof value[0] === 'string' && typeof value[1] === 'string') {
      return [value[0], value[1]];
    }
  } catch {}
  throw new ValidationError('cursor is not one this API returned', 'cursor');
}

/**
 * Splits the `limit + 1` rows a keyset query fetched into the page and its pagination: the extra row only says
 * there is more, and the page's last row is where the next page starts.
 */
export function keysetPage<Row>(
  rows: readonly Row[],
  limit: number,
  cursorOf: (last: Row) => [string, string],
): { page: Row[]; pagination: { has_more: boolean; next_cursor: string | null } } {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  const hasMore = rows.length > limit;
  return {
    page,
    pagination: { has_more: hasMore, next_cursor: hasMore && last ? encodeCursor(...cursorOf(last)) : null },
  };
}

/**
 * The query most lists share: a tenant's rows, exact-match `filters` (undefined ones skipped), newest first by
 * (created_at, id), after `cursor`, `limit + 1` rows so `keysetPage` can tell whether there are more. `from` is
 * what follows FROM (a table, or a join whose listed table is aliased `alias`).
 */
export function newestFirstSql(options: {
  select: string;
  from: string;
  alias?: string;
  tenant: { organizationId: string; mode: string };
  filters?: Record<string, string | undefined>;
  cursor?: string;
  limit: number;
}): SqlQuery {
  const column = (name: string) => (options.alias ? `${options.alias}.${name}` : name);
  const params = new SqlParameters();
  const conditions = [
    `${column('organization_id')} = ${params.add(options.tenant.organizationId)}`,
    `${column('mode')} = ${params.add(options.tenant.mode)}`,
  ];
  for (const [field, value] of Object.entries(options.filters ?? {})) {
    if (value !== undefined) conditions.push(`${column(field)} = ${params.add(value)}`);
  }
  if (options.cursor) {
    const [createdAt, id] = decodeCursor(options.cursor);
    conditions.push(
      `(${column('created_at')}, ${column('id')}) < (${params.add(createdAt)}::timestamptz, ${params.add(id)})`,
    );
  }
  return params.query(`SELECT ${options.select} FROM ${options.from} WHERE ${conditions.join(' AND ')}
                 ORDER BY ${column('created_at')} DESC, ${column('id')} DESC LIMIT ${params.add(options.limit + 1)}`);
}
