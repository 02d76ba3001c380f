import { CommandRecord, type CommandReply, type EventMetadata } from '@afternoon/contracts/messaging';
import type { TopicSpec } from '@afternoon/contracts/topics';
import type { z } from 'zod';
import { parseRecordJson } from '../consumer/eventRecords';
import type { IdempotentConsumerOptions } from '../consumer/idempotentConsumer';
import { eachRecordOfBatch, type RecordHandler } from '../consumer/records';
import { PoisonRecordError } from '../errors';
import { readStream } from '../eventStore/eventStore';
import { recordEvents } from '../eventStore/recordEvents';
import { type Transaction, withSavepoint } from '../postgres/database';
import type { Projection } from '../projections/projection';
import { answerCommandOnce, invalidCommandReply, replyOf } from './commandReplies';
import { type Command, type Decider, type DomainEvent, foldEvents } from './decider';

/**
 * Everything the kit needs to run one aggregate's commands: `C` is the command as sent (what `commandSchema` parses),
 * `D` the command `decide` receives. When `decide` needs more than was sent, `D` says what, and `enrich` is required.
 */
export type AggregateDefinition<
  C extends Command = Command,
  E extends DomainEvent = DomainEvent,
  S = unknown,
  D extends Command = C,
> = AggregateCore<C, E, S, D> & ([C] extends [D] ? Partial<Enricher<C, D>> : Enricher<C, D>);

interface AggregateCore<C extends Command, E extends DomainEvent, S, D extends Command> {
  commandTypes: readonly C['type'][];
  commandSchema: z.ZodType<Omit<C, 'metadata'>>;
  eventSchema: z.ZodType<E>;
  eventWireNames: Record<E['type'], string>;
  streamId(command: D): string;
  decider: Decider<D, E, S>;
  /** The data an event is published with, when the topic must not carry all the store keeps (e.g. a secret). */
  publishedData?(event: E): unknown;
  /** What the gateway answers with once the command succeeded. */
  result(state: S, command: D): unknown;
}

interface Enricher<C extends Command, D extends Command> {
  /**
   * Looks up what `decide` needs from this service's other tables (e.g. a customer's details) and returns the
   * command carrying it, so `decide` stays pure; may throw a DomainError such as NotFoundError.
   */
  enrich(tx: Transaction, command: C, context: CommandContext): Promise<D>;
}

/** What the kit offers command handlers beyond their transaction. */
export interface CommandContext {
  catchUp(consumerName: string, topic: TopicSpec, timeoutMs: number): Promise<boolean>;
}

export interface CommandHandlerOptions {
  schema: string;
  eventsTopic: string;
  repliesTopic: string;
  // biome-ignore lint/suspicious/noExplicitAny: aggregates of different types share one dispatcher
  aggregates: readonly AggregateDefinition<any, any, any>[];
  projections: readonly Projection[];
  context: CommandContext;
}

/**
 * Turns `<service>.commands` records into events: load the stream, decide, append, project, queue the events and
 * the reply in the outbox, and remember the command id, all in the consumer's transaction. A redelivered or
 * retried command gets its first reply again and changes nothing.
 */
export function createCommandRecordHandler(options: CommandHandlerOptions): RecordHandler {
  return createCommandHandlers(options).handle;
}

/**
 * The record handler and a batch handler that runs every pending command of a fetched batch, in order, in the
 * consumer's one transaction: each command's work sits in a savepoint of its own, so a command refused for a
 * domain reason gets its error reply and the others still commit. A record refused for its own reason (a
 * poison record) refuses the batch, and the consumer then takes the records one by one with `handle`. Each command
 * of a batch runs in its own trace, as it would alone.
 */
export function createCommandHandlers(
  options: CommandHandlerOptions,
): Required<Pick<IdempotentConsumerOptions, 'handle' | 'handleBatch' | 'traceEachRecord'>> {
  const byType = new Map<string, AggregateDefinition>();
  for (const aggregate of options.aggregates) {
    for (const type of aggregate.commandTypes) byType.set(type, aggregate);
  }

  const handle: RecordHandler = async (tx, record, context) => {
    const envelope = CommandRecord.safeParse(parseRecordJson(record.value));
    if (!envelope.success) throw new PoisonRecordError(`invalid command record: ${envelope.error.message}`);
    const { type, metadata } = envelope.data;
    context.setType(type);

    const aggregate = byType.get(type);
    if (!aggregate) {
      context.skip();
      return;
    }
    const outbox = { schema: options.schema, repliesTopic: options.repliesTopic };
    await answerCommandOnce(tx, outbox, metadata, () => decideAndRecord(tx, aggregate, envelope.data));
  };

  return { handle, handleBatch: eachRecordOfBatch(handle), traceEachRecord: true };

  async function decideAndRecord(
    tx: Transaction,
    aggregate: AggregateDefinition,
    envelope: CommandRecord,
  ): Promise<CommandReply> {
    const { metadata } = envelope;
    const parsed = aggregate.commandSchema.safeParse({ type: envelope.type, data: envelope.data });
    if (!parsed.success) return invalidCommandReply(metadata, parsed.error.message);
    const received = { ...parsed.data, metadata } as Command;
    return replyOf(metadata, () =>
      withSavepoint(tx, async () => {
        const command = aggregate.enrich ? await aggregate.enrich(tx, received, options.context) : received;
        const streamId = aggregate.streamId(command);
        const tenant = { organizationId: metadata.organization_id, mode: metadata.mode };
        const history = (await readStream(tx, streamId, tenant)).map((stored) => aggregate.eventSchema.parse(stored));
        const state = foldEvents(aggregate.decider, history);
        const newEvents = aggregate.decider.decide(command, state);
        const eventMetadata: EventMetadata = {
          organization_id: metadata.organization_id,
          mode: metadata.mode,
          occurred_at: metadata.issued_at,
          correlation_id: metadata.correlation_id,
          causation_id: metadata.command_id,
        };
        await recordEvents(tx, options.schema, {
          streamId,
          expectedVersion: history.length,
          events: newEvents,
          metadata: eventMetadata,
          projections: options.projections,
          wireNames: aggregate.eventWireNames,
          topicOf: () => options.eventsTopic,
          publishedData: aggregate.publishedData?.bind(aggregate),
        });
        return aggregate.result(newEvents.reduce(aggregate.decider.evolve, state), command);
      }),
    );
  }
}
