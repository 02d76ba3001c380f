import { eventually } from '@afternoon/testkit';
import { KafkaJSNonRetriableError } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { consumerSpec } from '../../test-fixtures/consumerScenario';

describe('a consumer kafkajs gives up on', () => {
  const { scenario } = consumerSpec();

  it('is started again, and goes on from where it was, each record once', async () => {
    const s = await scenario('crash-not-restarted');
    const records = Array.from({ length: 6 }, (_, index) => `r${index}`);
    let crashed = false;
    await s.send(records.slice(0, 3));
    await s.start(s.recordEffect, {
      retryDelay: () => 10,
      afterRecordCommitted: async (offset) => {
        if (offset === '1' && !crashed) {
          crashed = true;
          // What kafkajs crashes with after a broker restart (no group coordinator found in time): its cause is not
          // retriable, so kafkajs disconnects the consumer and does not restart it.
          throw new KafkaJSNonRetriableError(new Error('Failed to find group coordinator'));
        }
      },
    });
    await eventually(async () => expect(await s.effects()).toEqual(records.slice(0, 3)), {
      label: 'the records before the crash, once each',
      timeout: 30_000,
    });
    await s.send(records.slice(3));
    await eventually(async () => expect(await s.effects()).toEqual(records), {
      label: 'the records sent after the crash',
      timeout: 30_000,
    });
    expect(crashed).toBe(true);
  });
});
