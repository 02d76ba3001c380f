import { CommandRecord, type CommandReply } from '@afternoon/contracts/messaging';
import type { TopicSpec } from '@afternoon/contracts/topics';
import type { z } from 'zod';
import { parseRecordJson } from '../consumer/eventRecords';
import type { IdempotentConsumerOptions } from '../consumer/idempotentConsumer';
import { type BatchHandler, type ConsumedRecord, eachRecordOfBatch, type RecordHandler } from '../consumer/records';
import { PoisonRecordError } from '../errors';
import { readStream } from '../eventStore/eventStore';
import { recordEvents } from '../eventStore/recordEvents';
import { type Transaction, withSavepoint } from '../postgres/database';
import type { Projection } from '../projections/projection';
import { answerCommandOnce, invalidCommandReply, replyOf } from './commandReplies';
import { type Command, type Decider, type DomainEvent, eventMetadataOf, foldEvents } from './decider';
import { decideTogether, type FetchedCommand } from './decideTogether';

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
 * consumer's one transaction. Consecutive commands of one aggregate that needs no `enrich` are decided together
 * (`decideTogether`: a handful of statements for the lot); a command that needs `enrich` reads tables its
 * predecessors' projections write, so it runs alone, after them, in a savepoint of its own, as does every command of a
 * run a projection refused. A command refused for a domain reason gets its error reply and the others still commit.
 * A record refused for its own reason (a poison record) refuses the batch, and the consumer then takes the records
 * one by one with `handle`. Each command of a batch runs in its own trace, as it would alone.
 */
export function createCommandHandlers(
  options: CommandHandlerOptions,
): Required<Pick<IdempotentConsumerOptions, 'handle' | 'handleBatch' | 'traceEachRecord'>> {
  const byType = new Map<string, AggregateDefinition>();
  for (const aggregate of options.aggregates) {
    for (const type of aggregate.commandTypes) byType.set(type, aggregate);
  }
  const outbox = { schema: options.schema, repliesTopic: options.repliesTopic };

  const handle: RecordHandler = async (tx, record, context) => {
    const envelope = commandEnvelope(record);
    context.setType(envelope.type);
    const aggregate = byType.get(envelope.type);
    if (!aggregate) {
      context.skip();
      return;
    }
    await answerCommandOnce(tx, outbox, envelope.metadata, () => decideAndRecord(tx, aggregate, envelope));
  };
  const eachAlone = eachRecordOfBatch(handle);

  const handleBatch: BatchHandler = async (tx, records, context) => {
    const fetched = records.map((record) => ({ record, envelope: commandEnvelope(record) }));
    for (const { aggregate, commands } of runsOf(fetched)) {
      const together =
        aggregate !== undefined &&
        !aggregate.enrich &&
        (await decideTogether(tx, aggregate, commands, options)) === 'recorded';
      if (together) {
        for (const { envelope } of commands) context.outcomes?.push({ type: envelope.type, outcome: 'handled' });
      } else {
        await eachAlone(
          tx,
          commands.map(({ record }) => record),
          context,
        );
      }
    }
  };

  return { handle, handleBatch, traceEachRecord: true };

  /** Consecutive commands of one aggregate (or of no aggregate: types this service does not handle). */
  function runsOf(fetched: readonly FetchedCommand[]) {
    const runs: { aggregate: AggregateDefinition | undefined; commands: FetchedCommand[] }[] = [];
    for (const command of fetched) {
      const aggregate = byType.get(command.envelope.type);
      const last = runs[runs.length - 1];
      if (last && last.aggregate === aggregate) last.commands.push(command);
      else runs.push({ aggregate, commands: [command] });
    }
    return runs;
  }

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
        await recordEvents(tx, options.schema, {
          streamId,
          expectedVersion: history.length,
          events: newEvents,
          metadata: eventMetadataOf(metadata),
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

function commandEnvelope(record: ConsumedRecord): CommandRecord {
  const envelope = CommandRecord.safeParse(parseRecordJson(record.value));
  if (!envelope.success) throw new PoisonRecordError(`invalid command record: ${envelope.error.message}`);
  return envelope.data;
}
