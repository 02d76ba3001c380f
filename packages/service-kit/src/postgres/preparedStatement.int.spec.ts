import { afterAll, beforeAll, expect, it } from 'vitest';
import { kitDatabase } from '../../test-fixtures/kitDatabase';
import { preparedStatement } from './preparedStatement';
import { SqlParameters } from './sqlParameters';

let db: Awaited<ReturnType<typeof kitDatabase>>;
beforeAll(async () => {
  db = await kitDatabase();
});
afterAll(() => db.drop());

const countOf = (source: string) => {
  const params = new SqlParameters();
  return preparedStatement(params.query(`SELECT count(*)::int AS n FROM effects WHERE source = ${params.add(source)}`));
};

it('prepares a shape once per connection and runs it again with new values', async () => {
  await db.pool.query("INSERT INTO effects (source, payload) VALUES ('a', ''), ('a', ''), ('b', '')");
  const client = await db.pool.connect();
  try {
    const counts = [];
    for (const source of ['a', 'b', 'a', 'c']) counts.push((await client.query(countOf(source))).rows[0].n);
    const { rows } = await client.query<{ name: string }>('SELECT name FROM pg_prepared_statements');

    expect(counts).toEqual([2, 1, 2, 0]);
    expect(rows.map((row) => row.name)).toEqual([countOf('x').name]);
  } finally {
    client.release();
  }
});

it('names two shapes apart, so neither is run with the other’s text', async () => {
  const other = preparedStatement({
    text: 'SELECT count(*)::int + 100 AS n FROM effects WHERE source = $1',
    values: ['a'],
  });
  const client = await db.pool.connect();
  try {
    const first = (await client.query(countOf('a'))).rows[0].n;
    const second = (await client.query(other)).rows[0].n;

    expect(other.name).not.toBe(countOf('a').name);
    expect([first, second]).toEqual([2, 102]);
  } finally {
    client.release();
  }
});
