import { describe, expect, it } from 'vitest';
import { createLogger } from '../logger';
import { PeriodicOffsetCommits } from './periodicOffsetCommits';

type Committed = Array<{ topic: string; partition: number; offset: string }>;

function fakeConsumer(fail: () => boolean = () => false) {
  const commits: Committed[] = [];
  return {
    commits,
    async commitOffsets(offsets: Committed) {
      if (fail()) throw new Error('The coordinator is loading and hence can not process requests');
      commits.push(offsets);
    },
  };
}

const logger = createLogger('periodic-offset-commits', 'silent');

describe('PeriodicOffsetCommits', () => {
  it('commits, per partition, one past the last record handled since the previous commit, and nothing when idle', async () => {
    const consumer = fakeConsumer();
    const commits = new PeriodicOffsetCommits(consumer, 60_000, logger);
    commits.handledThrough('t', 0, '4');
    commits.handledThrough('t', 0, '9');
    commits.handledThrough('t', 1, '2');
    await commits.flush();
    await commits.flush();
    expect(consumer.commits).toEqual([
      [
        { topic: 't', partition: 0, offset: '10' },
        { topic: 't', partition: 1, offset: '3' },
      ],
    ]);
  });

  it('carries a failed commit into the next one, unless a later record moved its partition on', async () => {
    let failing = true;
    const consumer = fakeConsumer(() => failing);
    const commits = new PeriodicOffsetCommits(consumer, 60_000, logger);
    commits.handledThrough('t', 0, '4');
    commits.handledThrough('t', 1, '7');
    const failed = commits.flush();
    commits.handledThrough('t', 1, '8');
    await failed;
    failing = false;
    await commits.flush();
    expect(consumer.commits).toEqual([
      [
        { topic: 't', partition: 1, offset: '9' },
        { topic: 't', partition: 0, offset: '5' },
      ],
    ]);
  });

  it('leaves the partitions a rebalance gave to another member to their new owner', async () => {
    const consumer = fakeConsumer();
    const commits = new PeriodicOffsetCommits(consumer, 60_000, logger);
    commits.handledThrough('t', 0, '4');
    commits.handledThrough('t', 1, '4');
    commits.assigned({ t: [1] });
    await commits.flush();
    expect(consumer.commits).toEqual([[{ topic: 't', partition: 1, offset: '5' }]]);
  });

  it('commits the tail when stopped', async () => {
    const consumer = fakeConsumer();
    const commits = new PeriodicOffsetCommits(consumer, 60_000, logger);
    commits.start();
    commits.handledThrough('t', 0, '0');
    await commits.stop(1_000);
    expect(consumer.commits).toEqual([[{ topic: 't', partition: 0, offset: '1' }]]);
  });
});
