import { createLogger } from '@afternoon/service-kit';
import { eventually } from '@afternoon/testkit';
import type pg from 'pg';
import { describe, expect, it, vi } from 'vitest';
import { startHousekeeping } from './housekeeping';
import type { RequestWindows } from './rateLimits/requestWindows';

const hour = 60 * 60 * 1000;

describe('startHousekeeping', () => {
  it('forgets expired idempotency keys and ended rate-limit windows, each on its own, until stopped', async () => {
    const query = vi.fn().mockResolvedValue({ rowCount: 0 });
    const forgetEnded = vi.fn().mockRejectedValue(new Error('store unreachable'));
    const housekeeping = startHousekeeping({
      logger: createLogger('gateway', 'silent'),
      background: { query } as unknown as pg.Pool,
      retentionHours: 24,
      windows: { forgetEnded } as unknown as RequestWindows,
    });

    await eventually(() => {
      expect(query).toHaveBeenCalledWith(expect.stringContaining('DELETE FROM idempotency_keys'), [24]);
      expect(forgetEnded).toHaveBeenCalledWith(hour);
    });
    await housekeeping.stop();
    expect(query).toHaveBeenCalledTimes(1);
    expect(forgetEnded).toHaveBeenCalledTimes(1);
  });
});
