import { randomUUID } from 'node:crypto';
import { type CommandRecord, CommandReply, Headers } from '@afternoon/contracts/messaging';
import type { TopicSpec } from '@afternoon/contracts/topics';
import type { KafkaConnection, Logger, Producer } from '@afternoon/service-kit';

export class CommandTimeoutError extends Error {
  constructor(commandId: string) {
    super(`no reply to command ${commandId} in time`);
  }
}

export interface CommandBus {
  /** Produces the command (acks: all) and resolves with the owning service's reply. */
  send(topic: TopicSpec, key: string, command: CommandRecord): Promise<CommandReply>;
  isReady(): boolean;
  stop(): Promise<void>;
}

const probeDeadlineMs = 30_000;

/**
 * Commands go out on the owning service's topic; replies come back on one replies topic that every gateway
 * instance reads whole with a group of its own, keeping only the replies it is waiting for (by command id).
 */
export async function startCommandBus(options: {
  kafka: KafkaConnection;
  producer: Producer;
  repliesTopic: TopicSpec;
  timeoutMs: number;
  logger: Logger;
}): Promise<CommandBus> {
  const { kafka, producer, logger } = options;
  const repliesTopic = kafka.topic(options.repliesTopic);
  const instanceId = randomUUID();
  const waiting = new Map<string, (reply: CommandReply) => void>();
  let ready = false;

  const consumer = kafka.kafka.consumer({
    groupId: `${repliesTopic}.gateway-${instanceId}`,
    maxWaitTimeInMs: 20,
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
  });
  await consumer.connect();
  await consumer.subscribe({ topic: repliesTopic, fromBeginning: false });
  await consumer.run({
    eachMessage: async ({ message }) => {
      if (!message.value) return;
      let json: unknown;
      try {
        json = JSON.parse(message.value.toString());
      } catch {
        return;
      }
      const reply = CommandReply.safeParse(json);
      if (!reply.success) return;
      waiting.get(reply.data.command_id)?.(reply.data);
    },
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
        const echoed = awaitReply(probeId, 1_000);
        await producer.send({
          topic: repliesTopic,
          acks: -1,
          messages: [
            {
              partition: partitionId,
              key: probeId,
              value: JSON.stringify({ correlation_id: probeId, command_id: probeId, ok: true, result: null }),
            },
          ],
        });
        if (await echoed.then(() => true).catch(() => false)) break;
      }
    }
  }

  function awaitReply(commandId: string, timeoutMs: number): Promise<CommandReply> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        waiting.delete(commandId);
        reject(new CommandTimeoutError(commandId));
      }, timeoutMs);
      waiting.set(commandId, (reply) => {
        clearTimeout(timer);
        waiting.delete(commandId);
        resolve(reply);
      });
    });
  }

  return {
    isReady: () => ready,
    async send(topic, key, command) {
      const reply = awaitReply(command.metadata.command_id, options.timeoutMs);
      try {
        await producer.send({
          topic: kafka.topic(topic),
          acks: -1,
          messages: [
            {
              key,
              value: JSON.stringify(command),
              headers: {
                [Headers.commandId]: command.metadata.command_id,
                [Headers.correlationId]: command.metadata.correlation_id,
                [Headers.requestId]: command.metadata.request_id,
                [Headers.organizationId]: command.metadata.organization_id,
                [Headers.mode]: command.metadata.mode,
              },
            },
          ],
        });
      } catch (error) {
        waiting.delete(command.metadata.command_id);
        reply.catch(() => undefined);
        throw error;
      }
      logger.debug({ command_id: command.metadata.command_id, type: command.type }, 'command sent');
      return reply;
    },
    async stop() {
      ready = false;
      await consumer.disconnect();
    },
  };
}
