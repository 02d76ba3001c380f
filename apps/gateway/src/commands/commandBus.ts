import { randomUUID } from 'node:crypto';
import { type CommandRecord, CommandReply, Headers } from '@afternoon/contracts/messaging';
import type { TopicSpec } from '@afternoon/contracts/topics';
import {
  type ConsumerRunConfig,
  cappedExponentialDelay,
  consumeInSpan,
  type KafkaConnection,
  type Logger,
  type Producer,
  recordHeaders,
  restartAfterCrash,
  sendWithin,
  type Tracing,
} from '@afternoon/service-kit';
import type { KafkaMessage } from 'kafkajs';
import type { Registry } from 'prom-client';
import { commandDuration } from './commandDuration';
import { coalescedCommandSends } from './commandSends';
import { sendCommandInSpan } from './commandSpans';
import { ReplyWaiters } from './replyWaiters';

export class CommandTimeoutError extends Error {
  constructor(commandId: string) {
    super(`no reply to command ${commandId} in time`);
  }
}

export interface CommandBus {
  /**
   * Produces the command (acks: all, within `produceTimeoutMs`) and resolves with the owning service's reply.
   * Rejects with `ProduceTimeoutError` or the client's error when the broker did not take it, and with
   * `CommandTimeoutError` when it did but no reply came within `timeoutMs`.
   */
  send(topic: TopicSpec, key: string, command: CommandRecord): Promise<CommandReply>;
  isReady(): boolean;
  stop(): Promise<void>;
}

const probeDeadlineMs = 30_000;
const probeEchoMs = 1_000;

/** A reply awaited from before its command is sent (a fast reply must not slip past), timed from the send's ack. */
interface AwaitedReply {
  within(timeoutMs: number): Promise<CommandReply>;
  cancel(): void;
}

function commandHeaders(command: CommandRecord): Record<string, string> {
  return {
    [Headers.commandId]: command.metadata.command_id,
    [Headers.correlationId]: command.metadata.correlation_id,
    [Headers.requestId]: command.metadata.request_id,
    [Headers.organizationId]: command.metadata.organization_id,
    [Headers.mode]: command.metadata.mode,
  };
}

/**
 * Commands go out on the owning service's topic; replies come back on one replies topic that every gateway
 * instance reads whole with a group of its own, keeping only the replies it is waiting for (by command id).
 */
export async function startCommandBus(options: {
  kafka: KafkaConnection;
  producer: Producer;
  repliesTopic: TopicSpec;
  timeoutMs: number;
  produceTimeoutMs: number;
  logger: Logger;
  /** Where `afternoon_command_duration_seconds` is registered. */
  registry: Registry;
  /** Replies awaited here are received in a CONSUMER span of the trace their command started. */
  tracing?: Tracing;
}): Promise<CommandBus> {
  const { kafka, producer, logger, produceTimeoutMs } = options;
  const duration = commandDuration(options.registry);
  const repliesTopic = kafka.topic(options.repliesTopic);
  const instanceId = randomUUID();
  const waiting = new ReplyWaiters();
  const sendCommand = coalescedCommandSends(producer);
  let ready = false;

  const consumer = kafka.kafka.consumer({
    groupId: `${repliesTopic}.gateway-${instanceId}`,
    maxWaitTimeInMs: 500,
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
  });
  await consumer.connect();
  await consumer.subscribe({ topic: repliesTopic, fromBeginning: false });
  async function deliverReply(partition: number, message: KafkaMessage): Promise<void> {
    if (!message.value) return;
    let json: unknown;
    try {
      json = JSON.parse(message.value.toString());
    } catch {
      return;
    }
    const reply = CommandReply.safeParse(json);
    if (!reply.success || !waiting.awaits(reply.data.command_id)) return;
    const record = {
      topic: repliesTopic,
      partition,
      offset: message.offset,
      headers: recordHeaders(message.headers),
    };
    await consumeInSpan(options.tracing?.tracer, record, async () => waiting.deliver(reply.data));
  }

  const runConfig: ConsumerRunConfig = {
    // Replies are awaited in memory only: the group's offset matters to a restart after a crash alone, so it is
    // committed once a second, not after every fetched batch (kafkajs's autoCommit), which put a broker round trip
    // between one batch of replies and the fetch of the next.
    autoCommit: false,
    autoCommitInterval: 1_000,
    eachBatch: async ({ batch, resolveOffset, commitOffsetsIfNecessary }) => {
      for (const message of batch.messages) {
        await deliverReply(batch.partition, message);
        resolveOffset(message.offset);
      }
      await commitOffsetsIfNecessary();
    },
  };
  await consumer.run(runConfig);
  const restarts = restartAfterCrash({
    consumer,
    start: async () => {
      await consumer.connect();
      await consumer.run(runConfig);
    },
    delay: cappedExponentialDelay,
    logger,
    groupId: `${repliesTopic}.gateway-${instanceId}`,
  });
  await waitUntilPositioned();
  ready = true;

  // A new group starts at the end of the topic only once it has fetched; until a probe sent now comes back, a
  // reply could slip past unread, so the gateway is not ready before every partition echoes one.
  async function waitUntilPositioned(): Promise<void> {
    const deadline = Date.now() + probeDeadlineMs;
    const admin = await kafka.admin();
    const partitions = (await admin.fetchTopicMetadata({ topics: [repliesTopic] })).topics[0]?.partitions ?? [];
    for (const { partitionId } of partitions) {
      for (;;) {
        if (Date.now() > deadline) throw new Error(`replies consumer not positioned on ${repliesTopic}`);
        const probeId = `probe-${instanceId}-${partitionId}-${randomUUID()}`;
        const echo = awaitReply(probeId);
        try {
          await sendWithin(
            producer,
            {
              topic: repliesTopic,
              messages: [
                {
                  partition: partitionId,
                  key: probeId,
                  value: JSON.stringify({ correlation_id: probeId, command_id: probeId, ok: true, result: null }),
                },
              ],
            },
            produceTimeoutMs,
          );
        } catch (error) {
          echo.cancel();
          throw error;
        }
        if (
          await echo
            .within(probeEchoMs)
            .then(() => true)
            .catch(() => false)
        )
          break;
      }
    }
  }

  function awaitReply(commandId: string): AwaitedReply {
    let deliver: (reply: CommandReply) => void = () => undefined;
    const arrived = new Promise<CommandReply>((resolve) => {
      deliver = resolve;
    });
    const cancel = waiting.add(commandId, (reply) => deliver(reply));
    return {
      cancel,
      async within(timeoutMs) {
        let timer: NodeJS.Timeout | undefined;
        const timedOut = new Promise<never>((_resolve, reject) => {
          timer = setTimeout(() => reject(new CommandTimeoutError(commandId)), timeoutMs);
        });
        try {
          return await Promise.race([arrived, timedOut]);
        } finally {
          clearTimeout(timer);
          cancel();
        }
      },
    };
  }

  return {
    isReady: () => ready,
    async send(topic, key, command) {
      const timer = duration.startTimer({ topic: topic.name, type: command.type });
      const reply = awaitReply(command.metadata.command_id);
      try {
        await sendCommandInSpan(kafka.topic(topic), commandHeaders(command), (headers) =>
          sendCommand(kafka.topic(topic), { key, value: JSON.stringify(command), headers }, produceTimeoutMs),
        );
      } catch (error) {
        reply.cancel();
        timer({ outcome: 'not_sent' });
        throw error;
      }
      logger.debug({ command_id: command.metadata.command_id, type: command.type }, 'command sent');
      try {
        const answered = await reply.within(options.timeoutMs);
        timer({ outcome: answered.ok ? 'ok' : 'refused' });
        return answered;
      } catch (error) {
        timer({ outcome: 'timeout' });
        throw error;
      }
    },
    async stop() {
      ready = false;
      restarts.stop();
      await consumer.disconnect();
    },
  };
}
