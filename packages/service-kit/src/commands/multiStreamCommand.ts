import { CommandRecord } from '@afternoon/contracts/messaging';
import type { TopicSpec } from '@afternoon/contracts/topics';
import { Topics } from '@afternoon/contracts/topics';
import type { z } from 'zod';
import { parseRecordJson } from '../consumer/eventRecords';
import type { Transaction } from '../postgres/database';
import type { ConsumerDefinition, ServiceContext } from '../slices/slice';
import { answerCommandOnce, invalidCommandReply, replyOf } from './commandReplies';
import type { WithMetadata } from './decider';

/** A command decided over many streams (a replay: one event on each of a window's streams). */
export interface MultiStreamCommand<S extends z.ZodType<{ type: string; data: unknown }>> {
  /** Names the consumer group, as any consumer's name does. */
  name: string;
  commandType: z.infer<S>['type'];
  commandSchema: S;
  /** The service's commands topic, and where a record that is not a command goes. */
  topic: TopicSpec;
  deadLetterTopic: TopicSpec;
  /** Decides and records the command in the consumer's transaction; its result is the reply's, a DomainError its error. */
  handle(tx: Transaction, command: WithMetadata<z.infer<S>>, context: ServiceContext): Promise<unknown>;
}

/**
 * The kit's aggregates decide one stream per command; a command over many streams is taken by a consumer of the
 * commands topic of its own, which handles only that type (the commands consumer has no aggregate for it and skips
 * it) and answers it as the kit answers every command: once per command id, the reply through the outbox, in the
 * transaction that records what it decided.
 */
export function multiStreamCommandConsumer<S extends z.ZodType<{ type: string; data: unknown }>>(
  command: MultiStreamCommand<S>,
): ConsumerDefinition {
  return {
    name: command.name,
    topics: [command.topic],
    deadLetterTopic: command.deadLetterTopic,
    async handle(tx, record, context) {
      // A record of another type (or not a command at all) is another consumer's.
      const envelope = CommandRecord.safeParse(parseRecordJson(record.value));
      if (!envelope.success || envelope.data.type !== command.commandType) return context.skip();
      context.setType(envelope.data.type);
      const { type, data, metadata } = envelope.data;
      const outbox = { schema: context.schema, repliesTopic: context.kafka.topic(Topics.gatewayReplies) };
      await answerCommandOnce(tx, outbox, metadata, async () => {
        const parsed = command.commandSchema.safeParse({ type, data });
        if (!parsed.success) return invalidCommandReply(metadata, parsed.error.message);
        const received = { ...parsed.data, metadata } as WithMetadata<z.infer<S>>;
        return replyOf(metadata, () => command.handle(tx, received, context));
      });
    },
  };
}
