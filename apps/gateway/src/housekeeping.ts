import { type Logger, type Stoppable, startBackgroundLoop, startTableMaintenance } from '@afternoon/service-kit';
import type pg from 'pg';
import { forgetExpiredIdempotencyKeys } from './idempotency/idempotencyStore';
import type { RequestWindows } from './rateLimits/requestWindows';

const hour = 60 * 60 * 1000;

/**
 * Hourly, forgets Idempotency-Keys past their retention and rate-limit windows ended over an hour ago; keeps the
 * gateway's tables analyzed and vacuumed as every service's are (`startTableMaintenance`).
 */
export function startHousekeeping(options: {
  logger: Logger;
  background: pg.Pool;
  retentionHours: number;
  windows: RequestWindows;
}): Stoppable {
  const { logger } = options;
  const loops = [
    startTableMaintenance({ pool: options.background, logger }),
    startBackgroundLoop({
      name: 'forgetting expired idempotency keys',
      logger,
      intervalMs: hour,
      turn: () => forgetExpiredIdempotencyKeys(options.background, options.retentionHours),
    }),
    startBackgroundLoop({
      name: 'forgetting ended rate-limit windows',
      logger,
      intervalMs: hour,
      turn: () => options.windows.forgetEnded(hour),
    }),
  ];
  return {
    async stop() {
      await Promise.all(loops.map((loop) => loop.stop()));
    },
  };
}
