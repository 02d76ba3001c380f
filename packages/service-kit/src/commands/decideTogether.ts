import type { CommandRecord, CommandReply } from '@afternoon/contracts/messaging';
import type { ConsumedRecord } from '../consumer/records';
import { DomainError } from '../errors';
import { readStreams, type TenantStream, tenantStreamKey } from '../eventStore/eventStore';
import { recordStreams, type StreamEvents } from '../eventStore/recordEvents';
import { failureKind } from '../failures';
import { type Transaction, withSavepoint } from '../postgres/database';
import type { Projection } from '../projections/projection';
import { recordTraceHeaders } from '../tracing/spans';
import type { AggregateDefinition } from './commandHandler';
import {
  invalidCommandReply,
  queueReplies,
  type ReplyOutbox,
  rememberedReplies,
  rememberReplies,
} from './commandReplies';
import { type Command, eventMetadataOf, foldEvents } from './decider';

/** A command of a fetched batch, parsed as a command record. */
export interface FetchedCommand {
  record: ConsumedRecord;
  envelope: CommandRecord;
}

export interface RunRouting extends ReplyOutbox {
  eventsTopic: string;
  projections: readonly Projection[];
}

interface StreamPosition {
  state: unknown;
  version: number;
}

/**
 * Decides a run of one aggregate's commands (one that needs no `enrich`) in a handful of statements, whatever their
 * number: the remembered replies in one query, the streams in one, every decision appended, projected and queued in
 * one go, the replies remembered and queued in one statement each. Each command sees what it would alone: a
 * command on a stream an earlier one of the run changed decides on the state that one left, and a redelivered command
 * gets its first reply. A projection refusing a decision (a duplicate external id) undoes the run's records and
 * answers `refused`; the caller then takes the run command by command, each in a savepoint of its own.
 */
export async function decideTogether(
  tx: Transaction,
  aggregate: AggregateDefinition,
  commands: readonly FetchedCommand[],
  routing: RunRouting,
): Promise<'recorded' | 'refused'> {
  const remembered = await rememberedReplies(
    tx,
    commands.map(({ envelope }) => envelope.metadata.command_id),
  );
  const decisions = commands.map((fetched) => ({ fetched, command: parsedCommand(aggregate, fetched.envelope) }));
  // A command answered before decides nothing again: its stream is not read.
  const histories = await readStreams(
    tx,
    decisions.flatMap(({ fetched, command }) =>
      command.ok && !remembered.has(fetched.envelope.metadata.command_id) ? [streamOf(aggregate, command.value)] : [],
    ),
  );

  const positions = new Map<string, StreamPosition>();
  const appends: StreamEvents[] = [];
  const replies: { fetched: FetchedCommand; reply: CommandReply; remember: boolean }[] = [];
  for (const { fetched, command } of decisions) {
    const { command_id: commandId } = fetched.envelope.metadata;
    // Remembered from before, or the same command twice in one run (a retried send): answered as the first was.
    const earlier = remembered.get(commandId);
    const reply = earlier ?? replyFor(fetched, command);
    remembered.set(commandId, reply);
    replies.push({ fetched, reply, remember: !earlier });
  }
  if (appends.length > 0 && !(await recordedWithinSavepoint())) return 'refused';

  await rememberReplies(
    tx,
    replies
      .filter(({ remember }) => remember)
      .map(({ reply, fetched }) => ({ organizationId: fetched.envelope.metadata.organization_id, reply })),
  );
  await queueReplies(
    tx,
    routing,
    replies.map(({ fetched, reply }) => ({ reply, headers: recordTraceHeaders(fetched.record) })),
  );
  return 'recorded';

  function replyFor(fetched: FetchedCommand, command: ParsedCommand): CommandReply {
    const { metadata } = fetched.envelope;
    if (!command.ok) return invalidCommandReply(metadata, command.message);
    const replyTo = { correlation_id: metadata.correlation_id, command_id: metadata.command_id };
    try {
      return { ...replyTo, ok: true, result: decide(fetched, command.value) };
    } catch (error) {
      if (error instanceof DomainError) return { ...replyTo, ok: false, error: error.toApiError() };
      throw error;
    }
  }

  /** Decides on the stream's state as the run left it; what it decided joins the run's appends once it answered. */
  function decide(fetched: FetchedCommand, command: Command): unknown {
    const stream = streamOf(aggregate, command);
    const key = tenantStreamKey(stream);
    const position = positions.get(key) ?? startOf(aggregate, histories.get(key) ?? []);
    const events = aggregate.decider.decide(command, position.state);
    const state = events.reduce(aggregate.decider.evolve, position.state);
    const result = aggregate.result(state, command);
    positions.set(key, { state, version: position.version + events.length });
    if (events.length === 0) return result;
    appends.push({
      streamId: stream.streamId,
      expectedVersion: position.version,
      events,
      metadata: eventMetadataOf(command.metadata),
      headers: recordTraceHeaders(fetched.record),
    });
    return result;
  }

  async function recordedWithinSavepoint(): Promise<boolean> {
    try {
      await withSavepoint(tx, () =>
        recordStreams(tx, routing.schema, appends, {
          projections: routing.projections,
          wireNames: aggregate.eventWireNames,
          topicOf: () => routing.eventsTopic,
          publishedData: aggregate.publishedData?.bind(aggregate),
        }),
      );
      return true;
    } catch (error) {
      if (failureKind(error) === 'record') return false;
      throw error;
    }
  }
}

/** A stream's state and version as its history leaves them. */
function startOf(aggregate: AggregateDefinition, history: readonly unknown[]): StreamPosition {
  const events = history.map((stored) => aggregate.eventSchema.parse(stored));
  return { state: foldEvents(aggregate.decider, events), version: events.length };
}

type ParsedCommand = { ok: true; value: Command } | { ok: false; message: string };

function parsedCommand(aggregate: AggregateDefinition, envelope: CommandRecord): ParsedCommand {
  const parsed = aggregate.commandSchema.safeParse({ type: envelope.type, data: envelope.data });
  if (!parsed.success) return { ok: false, message: parsed.error.message };
  return { ok: true, value: { ...parsed.data, metadata: envelope.metadata } as Command };
}

function streamOf(aggregate: AggregateDefinition, command: Command): TenantStream {
  const { organization_id: organizationId, mode } = command.metadata;
  return { streamId: aggregate.streamId(command), organizationId, mode };
}
