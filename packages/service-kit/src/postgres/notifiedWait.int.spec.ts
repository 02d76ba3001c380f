import { eventually } from '@afternoon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kitDatabase } from '../../test-fixtures/kitDatabase';
import { withTransaction } from './database';
import { notifiedWait, notifyWaiters } from './notifiedWait';

describe('a wait woken by the commits that notify its channel', () => {
  let db: Awaited<ReturnType<typeof kitDatabase>>;
  const channel = () => `${db.schema}_effects`;
  // No looking again on a timer: only a notification (or a lost connection) can wake these waits.
  const waitOn = () => notifiedWait(db.pool, channel(), { lookAgainMs: 60_000 });

  beforeAll(async () => {
    db = await kitDatabase();
  });
  afterAll(() => db.drop());

  const effectOf = async (source: string) => {
    const { rows } = await db.pool.query<{ payload: string }>('SELECT payload FROM effects WHERE source = $1', [
      source,
    ]);
    return rows[0]?.payload;
  };
  const commitEffect = (source: string, payload: string) =>
    withTransaction(db.pool, async (tx) => {
      await tx.query('INSERT INTO effects (source, payload) VALUES ($1, $2)', [source, payload]);
      await notifyWaiters(tx, channel());
    });
  const listeningBackends = async () => {
    const { rows } = await db.pool.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query = $1',
      [`LISTEN "${channel()}"`],
    );
    return rows.map((row) => row.pid);
  };

  it('answers as soon as the transaction that notifies commits, not before', async () => {
    const wait = waitOn();
    let looks = 0;
    const answer = wait.until(() => {
      looks += 1;
      return effectOf('a');
    }, 60_000);
    await eventually(() => expect(looks).toBe(1), { label: 'looked once' });
    // A notification whose transaction rolls back is never delivered.
    await withTransaction(db.pool, async (tx) => {
      await notifyWaiters(tx, channel());
      throw new Error('rolled back');
    }).catch(() => undefined);
    await commitEffect('a', 'done');
    expect(await answer).toBe('done');
    expect(looks).toBe(2);
  });

  it('answers undefined once its wait has passed, and at once what is already there', async () => {
    const wait = waitOn();
    const started = Date.now();
    expect(await wait.until(() => effectOf('never'), 300)).toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(await wait.until(() => effectOf('a'), 0)).toBe('done');
  });

  it('listens again when its connection is lost, and still hears the commit', async () => {
    const wait = waitOn();
    const answer = wait.until(() => effectOf('b'), 60_000);
    let terminated: number | undefined;
    await eventually(async () => {
      [terminated] = await listeningBackends();
      expect(terminated).toBeDefined();
    });
    await db.pool.query('SELECT pg_terminate_backend($1)', [terminated]);
    await eventually(async () => {
      const listening = await listeningBackends();
      expect(listening).toHaveLength(1);
      expect(listening).not.toContain(terminated);
    });
    await commitEffect('b', 'heard');
    expect(await answer).toBe('heard');
  });

  it('ends a wait whose caller has gone', async () => {
    const gone = new AbortController();
    const answer = waitOn().until(() => effectOf('never'), 60_000, gone.signal);
    gone.abort();
    expect(await answer).toBeUndefined();
  });
});
