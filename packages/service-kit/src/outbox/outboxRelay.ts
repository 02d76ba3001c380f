import type pg from 'pg';
import type { Producer } from '../kafka/kafka';
import type { Logger } from '../logger';
import { outboxChannel } from './outbox';

interface OutboxRow {
  position: string;
  topic: string;
  key: string | null;
  headers: Record<string, string>;
  payload: unknown;
}

export interface OutboxRelay {
  isLeader(): boolean;
  stop(): Promise<void>;
}

const batchSize = 500;
const pollIntervalMs = 1000;
const leadershipRetryMs = 1000;

/**
 * Publishes the outbox to Kafka in insertion order, then deletes what was sent. One instance per service leads,
 * holding a session advisory lock on a connection of its own; the others wait to take over if it goes away.
 * A crash between send and delete republishes, so consumers deduplicate (at-least-once).
 *
 * One send is not one moment: the broker makes each partition of a produce request readable as soon as it has
 * appended to it, in an order of its own. Under load a reply was read, answered, and followed by the next command's
 * end-offset lookup while its 51 ms send was still unanswered, and that lookup did not yet count the event beside
 * it. So messages on `publishLast` topics (command replies, which tell a caller that the events queued before them
 * exist) go out in a second send, once the rest of the batch is acknowledged and so inside any end offset read after.
 */
export function startOutboxRelay(options: {
  pool: pg.Pool;
  schema: string;
  producer: Producer;
  logger: Logger;
  /** Full topic names whose messages are sent only after the batch's other messages are acknowledged. */
  publishLast?: readonly string[];
  onPublished?: (count: number) => void;
}): OutboxRelay {
  const { pool, schema, producer, logger } = options;
  const publishedLast = new Set(options.publishLast ?? []);
  let stopped = false;
  let leader = false;
  let session: pg.PoolClient | undefined;
  let wake: (() => void) | undefined;
  let pending = true;

  const signal = () => {
    pending = true;
    wake?.();
  };
  const idle = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      }
      wake = done;
    });

  async function becomeLeader(): Promise<boolean> {
    session ??= await pool.connect();
    const { rows } = await session.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [
      `outbox-relay:${schema}`,
    ]);
    if (!rows[0]?.locked) return false;
    session.on('notification', signal);
    await session.query(`LISTEN ${outboxChannel(schema)}`);
    return true;
  }

  async function publishPending(): Promise<number> {
    const { rows } = await pool.query<OutboxRow>(
      'SELECT position::text, topic, key, headers, payload FROM outbox ORDER BY position LIMIT $1',
      [batchSize],
    );
    if (rows.length === 0) return 0;
    await send(rows.filter((row) => !publishedLast.has(row.topic)));
    await send(rows.filter((row) => publishedLast.has(row.topic)));
    await pool.query('DELETE FROM outbox WHERE position = ANY($1::bigint[])', [rows.map((row) => row.position)]);
    options.onPublished?.(rows.length);
    return rows.length;
  }

  async function send(rows: OutboxRow[]): Promise<void> {
    if (rows.length === 0) return;
    const byTopic = new Map<string, OutboxRow[]>();
    for (const row of rows) byTopic.set(row.topic, [...(byTopic.get(row.topic) ?? []), row]);
    await producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, messages]) => ({
        topic,
        messages: messages.map((row) => ({ key: row.key, headers: row.headers, value: JSON.stringify(row.payload) })),
      })),
    });
  }

  async function releaseSession(): Promise<void> {
    const ended = session;
    session = undefined;
    leader = false;
    if (!ended) return;
    ended.removeListener('notification', signal);
    try {
      await ended.query('SELECT pg_advisory_unlock_all()');
      ended.release();
    } catch {
      ended.release(true);
    }
  }

  const loop = (async () => {
    while (!stopped) {
      try {
        if (!leader) {
          leader = await becomeLeader();
          if (!leader) {
            await idle(leadershipRetryMs);
            continue;
          }
          logger.info('outbox relay is the leader');
        }
        if (!pending) await idle(pollIntervalMs);
        pending = false;
        while (!stopped && (await publishPending()) === batchSize) {}
      } catch (error) {
        if (stopped) break;
        logger.error({ err: error }, 'outbox relay failed; retrying');
        await releaseSession();
        await idle(leadershipRetryMs);
        pending = true;
      }
    }
  })();

  return {
    isLeader: () => leader,
    async stop() {
      stopped = true;
      wake?.();
      await loop;
      await releaseSession();
    },
  };
}
