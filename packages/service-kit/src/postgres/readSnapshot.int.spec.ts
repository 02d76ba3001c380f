import { afterAll, beforeAll, expect, it } from 'vitest';
import { kitDatabase } from '../../test-fixtures/kitDatabase';
import { withReadSnapshot } from './database';

let db: Awaited<ReturnType<typeof kitDatabase>>;
beforeAll(async () => {
  db = await kitDatabase();
});
afterAll(() => db.drop());

const effects = async (query: { query: typeof db.pool.query }) =>
  Number((await query.query('SELECT count(*) AS n FROM effects')).rows[0].n);

it('reads one snapshot: a row committed meanwhile stays out of it, and it writes nothing', async () => {
  await db.pool.query("INSERT INTO effects (source, payload) VALUES ('before', '')");
  const seen = await withReadSnapshot(db.pool, async (tx) => {
    const first = await effects(tx);
    await db.pool.query("INSERT INTO effects (source, payload) VALUES ('meanwhile', '')");
    const second = await effects(tx);
    const write = await tx
      .query("INSERT INTO effects (source, payload) VALUES ('inside', '')")
      .catch((error: { code?: string }) => error.code);
    return { first, second, write };
  });

  // 25006: read_only_sql_transaction.
  expect(seen).toEqual({ first: 1, second: 1, write: '25006' });
  expect(await effects(db.pool)).toBe(2);
});
