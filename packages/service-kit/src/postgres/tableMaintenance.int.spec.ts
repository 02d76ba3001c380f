import { eventually } from '@afternoon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kitDatabase } from '../../test-fixtures/kitDatabase';
import { maintainTables, type TableMaintenanceOptions } from './tableMaintenance';

describe("a service's tables analyzed and vacuumed where autovacuum does not", () => {
  let db: Awaited<ReturnType<typeof kitDatabase>>;
  beforeAll(async () => {
    db = await kitDatabase();
    // Off for these tables, so what is proved holds on a server with autovacuum on as on one with it off.
    await db.pool.query('CREATE TABLE counters (id int PRIMARY KEY, n int NOT NULL) WITH (autovacuum_enabled = off)');
    await db.pool.query('ALTER TABLE outbox SET (autovacuum_enabled = off)');
  });
  afterAll(() => db.drop());

  interface TableStatistics {
    dead: number;
    vacuums: number;
    analyzes: number;
  }
  /** Autovacuum's naptime (a minute) between two visits of a table would outlast these specs. */
  const revisitedAtOnce = { revisitAfterMs: 0 };
  /** The server's counters of the table; they lag its writes a little, so a spec waits for what it wrote. */
  const statistics = async (table: string): Promise<TableStatistics> => {
    const { rows } = await db.pool.query<TableStatistics>(
      `SELECT n_dead_tup::int AS dead, vacuum_count::int AS vacuums, analyze_count::int AS analyzes
         FROM pg_stat_user_tables WHERE schemaname = current_schema() AND relname = $1`,
      [table],
    );
    return rows[0] as TableStatistics;
  };
  /** Leaves `count` dead rows: updates of the table's 20 rows, few enough that no page fills and prunes itself. */
  const updateCounters = async (count: number) => {
    for (let left = count; left > 0; left -= 20)
      await db.pool.query('UPDATE counters SET n = n + 1 WHERE id <= $1', [Math.min(left, 20)]);
  };
  /** What a turn did to `counters` (this server may be maintaining the kit's other tables too). */
  const countersMaintained = async (options: TableMaintenanceOptions = revisitedAtOnce) => {
    const { analyzed, vacuumed } = await maintainTables(db.pool, options);
    return { analyzed: analyzed.filter((t) => t === 'counters'), vacuumed: vacuumed.filter((t) => t === 'counters') };
  };

  it('analyzes a table past 50 + 10% of its rows changed, and vacuums it past 50 + 20% of them dead', {
    timeout: 60_000,
  }, async () => {
    await db.pool.query('INSERT INTO counters SELECT id, 0 FROM generate_series(1, 20) id');
    // 20 rows are under the 50 changed rows a table never analyzed needs: the rules below start from its size.
    await db.pool.query('ANALYZE counters');
    expect(await statistics('counters')).toEqual({ dead: 0, vacuums: 0, analyzes: 1 });

    // 53 changed rows are past the 52 an analyze of 20 rows needs, and under the 54 dead rows a vacuum needs.
    await updateCounters(53);
    await eventually(async () => expect((await statistics('counters')).dead).toBe(53), { label: 'updates counted' });
    expect(await countersMaintained()).toEqual({ analyzed: ['counters'], vacuumed: [] });

    await updateCounters(2);
    await eventually(async () => expect((await statistics('counters')).dead).toBe(55), { label: 'updates counted' });
    expect(await countersMaintained()).toEqual({ analyzed: [], vacuumed: ['counters'] });
    expect(await statistics('counters')).toEqual({ dead: 0, vacuums: 1, analyzes: 2 });
  });

  it('visits a table at most once an autovacuum_naptime, as autovacuum does, unless told it must see new tenants', {
    timeout: 60_000,
  }, async () => {
    await updateCounters(60);
    await eventually(async () => expect((await statistics('counters')).dead).toBe(60), { label: 'updates counted' });
    // Past both rules, but analyzed and vacuumed moments ago: not before the server's naptime (a minute by default).
    const naptime = { revisitAfterMs: 60_000 };
    expect(await countersMaintained(naptime)).toEqual({ analyzed: [], vacuumed: [] });
    expect(await countersMaintained({ ...naptime, newTenantsSeenIn: ['counters'] })).toEqual({
      analyzed: ['counters'],
      vacuumed: [],
    });
    expect(await countersMaintained(revisitedAtOnce)).toEqual({ analyzed: [], vacuumed: ['counters'] });
  });

  it('leaves the outbox to its relay, which vacuums it by what it publishes (ADR 0047)', async () => {
    await db.pool.query(
      "INSERT INTO outbox (topic, key, payload) SELECT 'maintained', 'k', '{}' FROM generate_series(1, 200)",
    );
    await db.pool.query('DELETE FROM outbox');
    await eventually(async () => expect((await statistics('outbox')).dead).toBe(200), { label: 'deletes counted' });
    expect((await maintainTables(db.pool, revisitedAtOnce)).vacuumed).not.toContain('outbox');
    expect((await statistics('outbox')).vacuums).toBe(0);
  });

  it('does nothing while another instance of the service is maintaining the same schema', async () => {
    await updateCounters(60);
    await eventually(async () => expect((await statistics('counters')).dead).toBe(60), { label: 'updates counted' });
    const other = await db.pool.connect();
    try {
      await other.query("SELECT pg_advisory_lock(hashtext(current_schema() || '.table_maintenance'))");
      expect(await maintainTables(db.pool, revisitedAtOnce)).toEqual({ analyzed: [], vacuumed: [] });
      await other.query("SELECT pg_advisory_unlock(hashtext(current_schema() || '.table_maintenance'))");
    } finally {
      other.release();
    }
    expect((await countersMaintained()).vacuumed).toEqual(['counters']);
  });
});
