import { eventually } from '@afternoon/testkit';
import { describe, expect, it } from 'vitest';
import { consumerSpec } from '../../test-fixtures/consumerScenario';
import { waitUntilCaughtUp } from './catchUp';
import { processedThroughWaiter } from './processedThrough';
import type { BatchHandler } from './records';

// ADR 0052: a consumer read only through `catchUp` or `processedThroughWaiter` rests after each fetch that reached
// the end of its partitions, gathering what arrives meanwhile; whoever waits for its records wakes it.
describe('a consumer that rests after its fetches', () => {
  const { kafka, pool, scenario } = consumerSpec();
  // Far longer than any wait below: only a wake ends a rest in time (and stopping, in afterAll).
  const restAfterFetchMs = 600_000;

  async function restingScenario(name: string) {
    const s = await scenario(name, 3);
    const batches: string[][] = [];
    const handleBatch: BatchHandler = async (tx, records, context) => {
      batches.push(records.map((record) => record.value ?? ''));
      await s.recordEffects(tx, records, context);
    };
    await s.start(s.recordEffect, { handleBatch, gathersRecords: true, restAfterFetchMs });
    const progress = { pool: pool(), kafka, groupId: s.groupId, topic: s.topics.source };
    // The first record after a quiet spell is fetched at once, then the consumer rests. (Watched without waking it:
    // a wait that wakes it while it fetches would skip that rest.)
    await s.sendTo(0, ['first']);
    await eventually(async () => expect(await s.effects()).toEqual(['first']), { label: 'first', timeout: 30_000 });
    await s.sendTo(0, ['a-1', 'a-2']);
    await s.sendTo(1, ['b-1']);
    await s.sendTo(2, ['c-1', 'c-2']);
    return { s, batches, progress };
  }
  const gathered = ['a-1', 'a-2', 'b-1', 'c-1', 'c-2'];

  it('is woken by a wait to catch up, and handles what arrived while it rested in one transaction', async () => {
    const { s, batches, progress } = await restingScenario('resting-catch-up');
    expect(await waitUntilCaughtUp({ ...progress, timeoutMs: 30_000 })).toBe(true);
    expect(batches.map((batch) => [...batch].sort())).toEqual([['first'], gathered]);
    expect(await s.effects()).toHaveLength(6);
  });

  it('is woken by a wait for the records appended before an instant', async () => {
    const { s, batches, progress } = await restingScenario('resting-processed-through');
    const waiter = processedThroughWaiter(progress);
    expect(await waiter(new Date(), 30_000)).toBe(true);
    expect(batches.map((batch) => [...batch].sort())).toEqual([['first'], gathered]);
    expect(await s.effects()).toHaveLength(6);
  });
});
