import { createHash } from 'node:crypto';
import type { QueryConfig } from 'pg';
import type { SqlQuery } from './sqlParameters';

/**
 * The statement as one Postgres parses and plans once per connection, then runs again by name with new values:
 * for reads asked many times a second in a handful of shapes, where planning costs as much as running (ADR 0043).
 * Named by its text's hash, so every caller of one shape shares it. Only for shapes that are few: a connection keeps
 * each one it has prepared until it closes, so a value belongs in `values`, never in the text.
 */
export function preparedStatement({ text, values }: SqlQuery): QueryConfig {
  return { name: `s${createHash('sha1').update(text).digest('base64url')}`, text, values };
}
