import { randomBytes, randomInt } from 'node:crypto';
import { Partitioners, type PartitionMetadata } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { keyPartitioner, murmur2 } from './keyPartitioner';

function partitions(count: number, leader = 0): PartitionMetadata[] {
  return Array.from({ length: count }, (_, partitionId) => ({
    partitionErrorCode: 0,
    partitionId,
    leader,
    replicas: [0],
    isr: [0],
  }));
}

describe('murmur2', () => {
  // Printed by Kafka's own `org.apache.kafka.common.utils.Utils.murmur2` (the broker's jars, Java 17) over the UTF-8
  // bytes, with `toPositive(hash) % 6`.
  const javaSays: [string, number, number][] = [
    ['21', -973932308, 0],
    ['foobar', -790332482, 0],
    ['a-little-bit-long-string', -985981536, 2],
    ['a-little-bit-longer-string', -1486304829, 5],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971, 5],
    ['abc', 479470107, 3],
    ['', 275646681, 3],
    ['cm5x9z8nv0000h85r7l9p2k1m', -921244259, 3],
    ['é€😀', -232818566, 0],
    ['x', 2121525046, 4],
  ];

  it.each(javaSays)('hashes %j as the Java client does', (key, hash, partition) => {
    expect(murmur2(Buffer.from(key, 'utf8'))).toBe(hash);
    const partitionOf = keyPartitioner();
    expect(partitionOf({ topic: 't', partitionMetadata: partitions(6), message: { key, value: null } })).toBe(
      partition,
    );
  });
});

describe('keyPartitioner', () => {
  it("sends every key where kafkajs's DefaultPartitioner does, string or bytes, whatever the partition count", () => {
    const ours = keyPartitioner();
    const theirs = Partitioners.DefaultPartitioner();
    for (let round = 0; round < 5_000; round++) {
      const bytes = randomBytes(randomInt(0, 40));
      const key = round % 2 === 0 ? bytes.toString('base64url') : bytes;
      const args = { topic: 't', partitionMetadata: partitions(randomInt(1, 13)), message: { key, value: null } };
      expect(ours(args)).toBe(theirs(args));
      expect(ours(args)).toBe(theirs(args));
    }
  });

  it('keeps a partition the record names, and spreads records without a key over the partitions with a leader', () => {
    const partitionOf = keyPartitioner();
    const metadata = [
      ...partitions(2),
      ...partitions(2, -1).map((each) => ({ ...each, partitionId: each.partitionId + 2 })),
    ];
    expect(
      partitionOf({ topic: 't', partitionMetadata: metadata, message: { key: 'k', value: null, partition: 3 } }),
    ).toBe(3);
    const chosen = Array.from({ length: 10 }, () =>
      partitionOf({ topic: 't', partitionMetadata: metadata, message: { value: null } }),
    );
    expect(new Set(chosen)).toEqual(new Set([0, 1]));
  });
});
