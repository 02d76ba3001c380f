import type { Consumer } from '../kafka/kafka';
import type { Logger } from '../logger';
import type { RetryDelay } from './retryDelay';

/**
 * kafkajs restarts a crashed consumer only when the error's root cause is retriable; after a broker restart it can
 * crash on one that is not (no group coordinator found before its retries ran out) and then stays disconnected for
 * good, its partitions unread. This restarts such a consumer itself, with backoff, until it has joined again.
 */
export function restartAfterCrash(options: {
  consumer: Consumer;
  /** Starts the consumer again (connect and run with its configuration). */
  start(): Promise<void>;
  delay: RetryDelay;
  logger: Logger;
  groupId: string;
}): { stop(): void } {
  const { consumer, logger, groupId } = options;
  let attempt = 0;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const schedule = () => {
    if (stopped) return;
    attempt += 1;
    const delayMs = options.delay(attempt);
    logger.error({ groupId, attempt, delay_ms: Math.round(delayMs) }, 'consumer gave up; restarting it');
    timer = setTimeout(() => {
      timer = undefined;
      if (stopped) return;
      options.start().catch((error: unknown) => {
        logger.error({ err: error, groupId }, 'consumer restart failed');
        schedule();
      });
    }, delayMs);
  };

  consumer.on(consumer.events.GROUP_JOIN, () => {
    attempt = 0;
  });
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (!payload.restart) schedule();
  });
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
