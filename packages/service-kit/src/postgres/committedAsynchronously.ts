import type { QueryResult, QueryResultRow } from 'pg';
import type { Queryable } from './database';

/**
 * Runs `statement` (no parameters) as one query string after `SET LOCAL synchronous_commit = off`: Postgres runs
 * the two as one implicit transaction, whose commit does not wait for the WAL flush. Only for a write that nothing
 * depends on having kept through a crash of Postgres (ADR 0049). Answers the statement's result.
 */
export async function queryCommittedAsynchronously<R extends QueryResultRow>(
  client: Queryable,
  statement: string,
): Promise<QueryResult<R>> {
  const results = (await client.query(`SET LOCAL synchronous_commit = off; ${statement}`)) as unknown as [
    QueryResult,
    QueryResult<R>,
  ];
  return results[1];
}
