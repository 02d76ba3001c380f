import type pg from 'pg';
import { checkpointOf, readAllEvents, startOfEventStore } from '../eventStore/eventStore';
import { withTransaction } from '../postgres/database';
import { type Projection, projectEvents } from './projection';

const pageSize = 1000;

/**
 * Empties the projections' tables and replays the whole event store into them, in one transaction that holds
 * appends back, so readers see either the old read models or the rebuilt ones and never a half.
 */
export async function rebuildProjections(pool: pg.Pool, projections: readonly Projection[]): Promise<number> {
  return withTransaction(pool, async (tx) => {
    // SHARE mode waits for every open appender and blocks new ones until the rebuild commits.
    await tx.query('LOCK TABLE events IN SHARE MODE');
    const tables = [...new Set(projections.flatMap((projection) => projection.tables))];
    if (tables.length > 0) await tx.query(`TRUNCATE ${tables.join(', ')}`);
    let replayed = 0;
    let checkpoint = startOfEventStore;
    for (;;) {
      const events = await readAllEvents(tx, checkpoint, pageSize, { appendsLocked: true });
      if (events.length === 0) return replayed;
      await projectEvents(tx, projections, events);
      replayed += events.length;
      checkpoint = checkpointOf(events[events.length - 1]!);
    }
  });
}
