import { eventually } from '@afternoon/testkit';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kitDatabase } from '../../test-fixtures/kitDatabase';
import { ConcurrencyError } from '../errors';
import { withTransaction } from '../postgres/database';
import {
  appendToStream,
  appendToStreams,
  checkpointOf,
  type GlobalCheckpoint,
  readAllEvents,
  readStream,
  type StoredEvent,
  startOfEventStore,
} from './eventStore';
import { recordStreams } from './recordEvents';

const metadata = {
  organization_id: 'org_a',
  mode: 'live' as const,
  occurred_at: '2026-01-01T00:00:00.000Z',
  correlation_id: 'req_1',
  causation_id: 'cmd_1',
};
const tenant = { organizationId: 'org_a', mode: 'live' };

describe('event store on Postgres', () => {
  let db: Awaited<ReturnType<typeof kitDatabase>>;
  beforeAll(async () => {
    db = await kitDatabase();
  });
  afterAll(() => db.drop());

  it('appends in order and reads a stream back for its own tenant only', async () => {
    await withTransaction(db.pool, (tx) =>
      appendToStream(
        tx,
        'thing-1',
        0,
        [
          { type: 'Made', data: { n: 1 } },
          { type: 'Changed', data: { n: 2 } },
        ],
        metadata,
      ),
    );
    const stream = await readStream(db.pool, 'thing-1', tenant);
    expect(stream.map((event) => [event.version, event.type, event.data])).toEqual([
      [1, 'Made', { n: 1 }],
      [2, 'Changed', { n: 2 }],
    ]);
    expect(await readStream(db.pool, 'thing-1', { organizationId: 'org_b', mode: 'live' })).toEqual([]);
    expect(await readStream(db.pool, 'thing-1', { organizationId: 'org_a', mode: 'test' })).toEqual([]);
  });

  it('reads events in the order they were appended, across positions of more digits', async () => {
    // One transaction whose positions cross from one digit count to the next (…, 98, 99, 100, 101, …): sorted as
    // text they would come back 100, 101, …, 98, 99.
    const made = Array.from({ length: 120 }, (_, n) => ({ type: 'Counted', data: { n } }));
    await withTransaction(db.pool, (tx) => appendToStream(tx, 'counter-1', 0, made, metadata));
    const all = await readAllEvents(db.pool, startOfEventStore, 10_000, { appendsLocked: true });
    const read = all.filter((event) => event.streamId === 'counter-1');
    expect(read.map((event) => event.data)).toEqual(made.map((event) => event.data));
  });

  it('lets exactly one of two concurrent appends at the same version win', async () => {
    await withTransaction(db.pool, (tx) => appendToStream(tx, 'race-1', 0, [{ type: 'Made', data: {} }], metadata));
    const attempts = await Promise.allSettled(
      ['a', 'b'].map((writer) =>
        withTransaction(db.pool, (tx) =>
          appendToStream(tx, 'race-1', 1, [{ type: 'Changed', data: { writer } }], metadata),
        ),
      ),
    );
    expect(attempts.filter((attempt) => attempt.status === 'fulfilled')).toHaveLength(1);
    const rejected = attempts.find((attempt) => attempt.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason).toBeInstanceOf(ConcurrencyError);
    expect((await readStream(db.pool, 'race-1', tenant)).map((event) => event.version)).toEqual([1, 2]);
  });

  it('never lets an ordered reader skip an event whose transaction commits late', async () => {
    const seen: StoredEvent[] = [];
    let checkpoint: GlobalCheckpoint = startOfEventStore;
    const readOnce = async () => {
      const events = await readAllEvents(db.pool, checkpoint, 100);
      seen.push(...events);
      if (events.length > 0) checkpoint = checkpointOf(events[events.length - 1]!);
    };
    await eventually(async () => {
      await readOnce();
      expect(seen.filter((event) => event.streamId === 'race-1')).toHaveLength(2);
    });

    // The slow writer takes its position first and commits last.
    const slow: pg.PoolClient = await db.pool.connect();
    await slow.query('BEGIN');
    await appendToStream(slow, 'slow-1', 0, [{ type: 'Made', data: {} }], metadata);
    await withTransaction(db.pool, (tx) => appendToStream(tx, 'fast-1', 0, [{ type: 'Made', data: {} }], metadata));

    await readOnce();
    expect(seen.map((event) => event.streamId)).not.toContain('fast-1');

    await slow.query('COMMIT');
    slow.release();
    await eventually(async () => {
      await readOnce();
      const order = seen.map((event) => event.streamId).filter((id) => id === 'slow-1' || id === 'fast-1');
      expect(order).toEqual(['slow-1', 'fast-1']);
    });
  });

  it('appends many streams in one statement, in the order given, and refuses them all when one moved on', async () => {
    const other = { ...metadata, organization_id: 'org_b', correlation_id: 'req_2' };
    const stored = await withTransaction(db.pool, (tx) =>
      appendToStreams(tx, [
        { streamId: 'batch-1', expectedVersion: 0, events: [{ type: 'Made', data: { n: 1 } }], metadata },
        {
          streamId: 'batch-2',
          expectedVersion: 0,
          events: [
            { type: 'Made', data: { n: 2 } },
            { type: 'Changed', data: { n: 3 } },
          ],
          metadata: other,
        },
      ]),
    );
    expect(stored.map((event) => [event.streamId, event.version, event.type, event.metadata.organization_id])).toEqual([
      ['batch-1', 1, 'Made', 'org_a'],
      ['batch-2', 1, 'Made', 'org_b'],
      ['batch-2', 2, 'Changed', 'org_b'],
    ]);
    expect(new Set(stored.map((event) => event.transactionId)).size).toBe(1);

    const refused = withTransaction(db.pool, (tx) =>
      appendToStreams(tx, [
        { streamId: 'batch-3', expectedVersion: 0, events: [{ type: 'Made', data: {} }], metadata },
        { streamId: 'batch-2', expectedVersion: 1, events: [{ type: 'Changed', data: {} }], metadata: other },
      ]),
    );
    await expect(refused).rejects.toThrow(ConcurrencyError);
    await expect(refused).rejects.toThrow('stream batch-2 moved past version 1');
    expect(await readStream(db.pool, 'batch-3', tenant)).toEqual([]);
  });

  it('records streams after their latest versions in one go, a stream named twice going on after its own events', async () => {
    await withTransaction(db.pool, (tx) =>
      appendToStream(tx, 'latest-1', 0, [{ type: 'Made', data: { n: 1 } }], metadata),
    );
    const made = (n: number) => [{ type: 'Made', data: { n } }];
    const stored = await withTransaction(db.pool, (tx) =>
      recordStreams(
        tx,
        db.schema,
        [
          { streamId: 'latest-1', expectedVersion: 'latest', events: made(2), metadata },
          { streamId: 'latest-2', expectedVersion: 'latest', events: made(3), metadata },
          { streamId: 'latest-empty', expectedVersion: 'latest', events: [], metadata },
          { streamId: 'latest-1', expectedVersion: 'latest', events: [...made(4), ...made(5)], metadata },
        ],
        { projections: [], wireNames: { Made: 'kit.v1.made' }, topicOf: () => 'kit.events' },
      ),
    );
    expect(stored.map((event) => [event.streamId, event.version, (event.data as { n: number }).n])).toEqual([
      ['latest-1', 2, 2],
      ['latest-2', 1, 3],
      ['latest-1', 3, 4],
      ['latest-1', 4, 5],
    ]);
    const { rows } = await db.pool.query<{ key: string }>('SELECT key FROM outbox ORDER BY position');
    expect(rows.map((row) => row.key)).toEqual(['latest-1', 'latest-2', 'latest-1', 'latest-1']);
  });
});
