import type { RunningService } from '@afternoon/service-kit';
import { dropSchemas, dropTopics, serviceEnv, uniqueName } from '@afternoon/testkit';
import { startNotificationService } from '../app';
import { MovableClock } from '../deliveries/deliveries.testing';

/**
 * A notification service of one spec file, on its own schema and topics, whose clock the test moves and whose email
 * sender looks for due emails every 50 ms.
 */
export function isolatedEmailsService(name: string) {
  const schema = uniqueName(name);
  const topicPrefix = `${uniqueName('ne')}.`;
  const clock = new MovableClock();
  let running: RunningService | undefined;
  return {
    clock,
    topicPrefix,
    async start(): Promise<RunningService> {
      running = await startNotificationService(
        { ...serviceEnv(schema, topicPrefix), EMAIL_SENDER_INTERVAL_MS: 50 },
        { now: clock.now },
      );
      return running;
    },
    async stop(): Promise<void> {
      await running?.stop();
      await dropSchemas(schema);
      await dropTopics(topicPrefix);
    },
  };
}
