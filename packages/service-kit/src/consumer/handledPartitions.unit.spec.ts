import { describe, expect, it } from 'vitest';
import { HandledPartitions } from './handledPartitions';

const group = 'invoicing-service.customers';
const topic = 'customer.events';
const now = Date.parse('2027-01-01T00:01:00Z');
const minuteAgo = String(Date.parse('2027-01-01T00:00:00Z'));

describe('HandledPartitions (processed-through delay)', () => {
  it('is 0 for a partition handled to its end, and the age of the last record handled for one behind', () => {
    const partitions = new HandledPartitions();
    partitions.handled(group, topic, 0, { timestamp: minuteAgo, lag: 0 });
    partitions.handled(group, topic, 1, { timestamp: minuteAgo, lag: 12 });
    expect(partitions.delays(now)).toEqual([
      { labels: { group, topic, partition: '0' }, delaySeconds: 0 },
      { labels: { group, topic, partition: '1' }, delaySeconds: 60 },
    ]);
  });

  it('forgets the partitions a rebalance gave to another member, so their delay does not grow here', () => {
    const partitions = new HandledPartitions();
    partitions.handled(group, topic, 0, { timestamp: minuteAgo, lag: 3 });
    partitions.handled(group, topic, 1, { timestamp: minuteAgo, lag: 3 });
    partitions.handled('metering-service.customers', topic, 0, { timestamp: minuteAgo, lag: 3 });
    partitions.assigned(group, { [topic]: [1] });
    expect(partitions.delays(now).map(({ labels }) => `${labels.group}/${labels.partition}`)).toEqual([
      `${group}/1`,
      'metering-service.customers/0',
    ]);
  });
});
