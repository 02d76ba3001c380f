import type pg from 'pg';
import type { Producer } from '../kafka/kafka';
import type { Logger } from '../logger';
import { queryCommittedAsynchronously } from '../postgres/committedAsynchronously';
import { startBackgroundLoop } from '../slices/backgroundLoop';
import { remoteParent, startProducerSpan } from '../tracing/spans';
import type { Tracing } from '../tracing/tracing';
import { type LeaderSession, openLeaderSession } from './leaderSession';
import { outboxChannel } from './outbox';
import { byteBoundedBatches, encodedSize, maxRequestBytes, type OutgoingMessage } from './outboxBatches';
import { type OutboxVacuumEvery, outboxVacuumByVolume } from './outboxVacuum';
import { errorReplyFor, isSizeRefusal, type OutboxRow, setAsideOversized } from './oversizedMessage';

export interface OutboxRelay {
  isLeader(): boolean;
  stop(): Promise<void>;
}

interface Outgoing {
  row: OutboxRow;
  message: OutgoingMessage;
  size: number;
}

const fetchLimit = 500;
/** Both how often the leader looks for what no notification announced, and how often the others try to lead. */
const pollIntervalMs = 1000;
const maxRetryDelayMs = 10_000;

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
 *
 * Requests are bounded in bytes (`maxRequestBytes`). A request the broker still refuses for its size is split in
 * two; a single message it refuses is set aside in `outbox_failed` (a command reply is replaced by an error reply)
 * and the messages after it go on.
 */
export function startOutboxRelay(options: {
  pool: pg.Pool;
  schema: string;
  /** The relay owns its producer, so it can start a fresh one when a refused request leaves it out of step. */
  createProducer: () => Promise<Producer>;
  logger: Logger;
  /** Full topic names whose messages are sent only after the batch's other messages are acknowledged. */
  publishLast?: readonly string[];
  onPublished?: (count: number) => void;
  /** Called for each message set aside because the broker refused its size. */
  onSetAside?: (topic: string) => void;
  /** Called after each turn with the messages still waiting (0 while another instance leads). */
  onBacklog?: (messages: number) => void;
  /** Each message is sent in a PRODUCER span continuing the trace that queued it. */
  tracing?: Tracing;
  /** Rows or bytes published between two vacuums of the outbox (`outboxVacuumEveryRows` and `…Bytes` by default). */
  vacuumEvery?: OutboxVacuumEvery;
}): OutboxRelay {
  const { pool, schema, logger } = options;
  const vacuum = outboxVacuumByVolume(pool, logger, options.vacuumEvery);
  const publishedLast = new Set(options.publishLast ?? []);
  let leader = false;
  let session: LeaderSession | undefined;
  let producer: Producer | undefined;

  async function becomeLeader(): Promise<boolean> {
    session ??= await openLeaderSession({
      pool,
      lockKey: `outbox-relay:${schema}`,
      channel: outboxChannel(schema),
      onNotification: () => loop.wake(),
      onLost: () => loop.wake(),
    });
    return session.tryLead();
  }

  function throwIfSessionLost(): void {
    const lost = session?.lost();
    if (lost) throw lost;
  }

  async function publishPending(): Promise<number> {
    throwIfSessionLost();
    // Qualified: a bare `position` would sort by the text column of the select list ('10' before '9').
    const { rows } = await pool.query<OutboxRow>(
      'SELECT position::text AS position, topic, key, headers, payload::text AS payload FROM outbox ORDER BY outbox.position LIMIT $1',
      [fetchLimit],
    );
    for (const batch of byteBoundedBatches(rows.map(outgoing), maxRequestBytes)) await deliver(batch);
    return rows.length;
  }

  async function deliver(batch: Outgoing[]): Promise<void> {
    try {
      await send(batch.filter(({ row }) => !publishedLast.has(row.topic)));
      await send(batch.filter(({ row }) => publishedLast.has(row.topic)));
    } catch (error) {
      if (!isSizeRefusal(error)) throw error;
      if (batch.length === 1) return setAside(batch[0] as Outgoing, error);
      // A new producer after a refused request starts with no state of the old one's failed request (ADR 0013).
      await renewProducer();
      const half = Math.ceil(batch.length / 2);
      await deliver(batch.slice(0, half));
      await deliver(batch.slice(half));
      return;
    }
    await deletePublished(pool, batch);
    vacuum.published(
      batch.length,
      batch.reduce((bytes, { size }) => bytes + size, 0),
    );
    options.onPublished?.(batch.length);
  }

  async function send(batch: Outgoing[]): Promise<void> {
    if (batch.length === 0) return;
    producer ??= await options.createProducer();
    const sent = batch.map(({ row, message }) => sentInSpan(options.tracing, row, message));
    const byTopic = new Map<string, OutgoingMessage[]>();
    for (const { topic, message } of sent) byTopic.set(topic, [...(byTopic.get(topic) ?? []), message]);
    try {
      await producer.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      });
    } catch (error) {
      for (const { span } of sent) span.end(error);
      throw error;
    }
    for (const { span } of sent) span.end();
  }

  async function reportBacklog(): Promise<void> {
    if (!options.onBacklog) return;
    const { rows } = await pool.query<{ waiting: number }>('SELECT count(*)::int AS waiting FROM outbox');
    options.onBacklog(rows[0]?.waiting ?? 0);
  }

  async function setAside({ row, size }: Outgoing, error: unknown): Promise<void> {
    const reason = `${(error as { type?: string }).type ?? 'refused'}: ${(error as Error).message}`;
    const reply = publishedLast.has(row.topic) ? errorReplyFor(row, size) : undefined;
    // A replacement the broker also refuses would be replaced again, forever; only a smaller one can help.
    const replacement = reply && outgoing({ ...row, payload: JSON.stringify(reply) }).size < size ? reply : undefined;
    await setAsideOversized(pool, row, { sizeBytes: size, reason, replacement });
    logger.error(
      { topic: row.topic, key: row.key, position: row.position, sizeBytes: size, reason, replied: !!replacement },
      'outbox message refused by Kafka for its size; moved to outbox_failed',
    );
    options.onSetAside?.(row.topic);
    if (replacement) await deliver([outgoing({ ...row, payload: JSON.stringify(replacement) })]);
  }

  async function renewProducer(): Promise<void> {
    const previous = producer;
    producer = undefined;
    await previous?.disconnect().catch(() => undefined);
  }

  async function releaseSession(): Promise<void> {
    const ended = session;
    session = undefined;
    leader = false;
    await ended?.release();
  }

  const loop = startBackgroundLoop({
    name: 'outbox relay',
    logger,
    intervalMs: pollIntervalMs,
    async turn(stopping) {
      throwIfSessionLost();
      if (!leader) {
        leader = await becomeLeader();
        if (!leader) return options.onBacklog?.(0);
        logger.info('outbox relay is the leader');
      }
      let drained = false;
      try {
        while (!stopping() && !drained) drained = (await publishPending()) < fetchLimit;
        await vacuum.afterTurn();
      } finally {
        // A turn that published all it found leaves nothing it saw waiting (what came since is the next turn's):
        // counting then would scan the table on every turn. Otherwise, Kafka refusing included, the count is what
        // an outage of the broker looks like.
        if (drained) options.onBacklog?.(0);
        else await reportBacklog().catch(() => undefined);
      }
    },
    retryDelayMs: (failures) => Math.min(pollIntervalMs * 2 ** (failures - 1), maxRetryDelayMs),
    afterFailure: releaseSession,
  });

  return {
    isLeader: () => leader,
    async stop() {
      await loop.stop();
      await releaseSession();
      await renewProducer();
    },
  };
}

/** The message as sent: in a PRODUCER span continuing the trace that queued it, whose context its headers carry. */
function sentInSpan(tracing: Tracing | undefined, row: OutboxRow, message: OutgoingMessage) {
  const span = tracing?.tracer
    ? startProducerSpan(tracing.tracer, row.topic, message.headers, remoteParent(row.headers))
    : { headers: message.headers, end: () => undefined };
  return { topic: row.topic, span, message: { ...message, headers: span.headers } };
}

function outgoing(row: OutboxRow): Outgoing {
  const message = { key: row.key, headers: row.headers, value: row.payload };
  return { row, message, size: encodedSize(message) };
}

/**
 * Deletes a published batch's rows without waiting for the WAL flush (ADR 0049): a delete a Postgres crash forgets
 * publishes those rows again, as a relay crash between send and delete does, and consumers drop them as duplicates.
 */
async function deletePublished(pool: pg.Pool, batch: readonly Outgoing[]): Promise<void> {
  const positions = batch.map(({ row }) => row.position);
  // The positions are the table's own bigints, read back as text: inlined, as a statement with parameters cannot
  // share its query string with the SET LOCAL.
  if (!positions.every((position) => /^\d+$/.test(position))) throw new Error(`not outbox positions: ${positions}`);
  await queryCommittedAsynchronously(
    pool,
    `DELETE FROM outbox WHERE position = ANY('{${positions.join(',')}}'::bigint[])`,
  );
}
