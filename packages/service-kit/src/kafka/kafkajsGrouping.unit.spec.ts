import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { keyPartitioner } from './keyPartitioner';

// How the installed kafkajs groups a send's messages by partition, which patches/kafkajs@2.2.4.patch makes linear
// (ADR 0046; stock 2.2.4 copied a partition's list for every message).
const require = createRequire(import.meta.url);
const groupMessagesPerPartition = require(
  `${require.resolve('kafkajs').replace(/index\.js$/, '')}src/producer/groupMessagesPerPartition`,
);

interface Message {
  key: string;
  value: string;
}

type Partitioner = (args: { topic: string; partitionMetadata: unknown[]; message: Message }) => number;

/** Stock 2.2.4's grouping, as the reference. */
function stockGrouping(topic: string, partitionMetadata: unknown[], messages: Message[], partitioner: Partitioner) {
  if (partitionMetadata.length === 0) return {};
  return messages.reduce<Record<number, Message[]>>((result, message) => {
    const partition = partitioner({ topic, partitionMetadata, message });
    const current = result[partition] || [];
    return Object.assign(result, { [partition]: [...current, message] });
  }, {});
}

describe("kafkajs's grouping of a send's messages by partition, as patched", () => {
  const partitionMetadata = Array.from({ length: 6 }, (_, partitionId) => ({ partitionId, leader: 1 }));
  const partitioner = keyPartitioner() as Partitioner;
  const messages = Array.from({ length: 1_000 }, (_, index) => ({
    key: `customer_${index % 97}`,
    value: `{"event":${index}}`,
  }));

  it("puts every message on its key's partition, in the order sent, as stock 2.2.4 did", () => {
    const grouped = groupMessagesPerPartition({ topic: 'usage', partitionMetadata, messages, partitioner });
    expect(grouped).toEqual(stockGrouping('usage', partitionMetadata, messages, partitioner));
    expect(Object.keys(grouped)).toEqual(['0', '1', '2', '3', '4', '5']);
    expect(Object.values(grouped).flat()).toHaveLength(1_000);
  });

  it('groups nothing for a topic without partitions', () => {
    expect(groupMessagesPerPartition({ topic: 'usage', partitionMetadata: [], messages, partitioner })).toEqual({});
  });
});
