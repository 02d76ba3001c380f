import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

// The encoders of the installed kafkajs, which patches/kafkajs@2.2.4.patch changes (ADR 0046).
const require = createRequire(import.meta.url);
const kafkajsSource = `${require.resolve('kafkajs').replace(/index\.js$/, '')}src`;
const Encoder = require(`${kafkajsSource}/protocol/encoder`);
const Long = require(`${kafkajsSource}/utils/long`);
const produceRequest = require(`${kafkajsSource}/protocol/requests/produce/v3/request`);
const crc32C: (buffer: Buffer) => number = require(`${kafkajsSource}/protocol/recordBatch/crc32C/crc32C`);

/** sha256 of the hex of each encoding, joined by commas. */
function digest(buffers: Buffer[]): string {
  return createHash('sha256')
    .update(buffers.map((buffer) => buffer.toString('hex')).join(','))
    .digest('hex');
}

const ints = [0, 1, -1, 63, 64, -64, -65, 127, 128, 300, -300, 16383, 16384, 2 ** 20, 2 ** 28, 2 ** 30 - 1, 2 ** 30];
ints.push(-(2 ** 30), 2 ** 31 - 1, -(2 ** 31));
const longs = [
  ...ints,
  2 ** 31,
  -(2 ** 31) - 1,
  2 ** 40,
  -(2 ** 40),
  Number.MAX_SAFE_INTEGER,
  -Number.MAX_SAFE_INTEGER,
];
longs.push(1796600000000);

function topicData() {
  const big = 'é'.repeat(300) + 'x'.repeat(1000);
  const many = Array.from({ length: 300 }, (_, i) => ({
    key: `c${i % 7}`,
    value: `{"i":${i},"s":"${'z'.repeat(i)}"}`,
    timestamp: 1796600000000 + i,
    headers: { 'x-request-id': 'req_1' },
  }));
  const first = [
    { key: 'k1', value: 'v1', timestamp: 1796600000000, headers: { h: 'x', many: ['1', '2'] } },
    { key: null, value: big, timestamp: 1796600000005 },
    {
      key: Buffer.from('bin'),
      value: Buffer.from([0, 1, 2]),
      timestamp: 1796600000001,
      headers: { b: Buffer.from([9]) },
    },
  ];
  return [
    {
      topic: 'a',
      partitions: [
        { partition: 0, firstSequence: 0, messages: first },
        { partition: 3, firstSequence: 0, messages: many },
      ],
    },
    {
      topic: 'b',
      partitions: [{ partition: 1, firstSequence: 0, messages: [{ key: 'k', value: null, timestamp: 1796600000000 }] }],
    },
  ];
}

// Digests of what stock kafkajs 2.2.4 (unpatched) wrote for the same values, recorded before the patch.
describe('kafkajs as patched encodes byte for byte as stock kafkajs 2.2.4', () => {
  it('varints and varlongs', () => {
    expect(digest(ints.map((v) => new Encoder().writeVarInt(v).buffer))).toBe(
      '98d965167fd3244df067f8a055292b79b737f9f577208e1c9737258a77845839',
    );
    const unsigned = [0, 1, 127, 128, 255, 16384, 2 ** 31 - 1, 2 ** 32 - 1];
    expect(digest(unsigned.map((v) => new Encoder().writeUVarInt(v).buffer))).toBe(
      '82ff6138557ed503dc7cc3a64211c3772b0c91e68142cc2c7af4657fee0a8aad',
    );
    expect(digest(longs.map((v) => new Encoder().writeVarLong(v).buffer))).toBe(
      '160abe6caf51717eebc3b8aab885eaca071970d0ee47375dc985a5592f405a4d',
    );
    const asLongs = ['0', '-1', '9223372036854775807', '-9223372036854775808', '1796600000000'];
    expect(digest(asLongs.map((v) => new Encoder().writeVarLong(Long.fromString(v)).buffer))).toBe(
      'da3df0263c7b22f171065511afbf06b2dfd13c369d0fac12b0fd05b92f4daba6',
    );
  });

  it('a produce request: keys, values and headers as text, bytes and null, in two topics', async () => {
    const request = produceRequest({
      acks: -1,
      timeout: 30000,
      compression: 0,
      topicData: topicData(),
      transactionalId: null,
      producerId: Long.fromInt(-1),
      producerEpoch: 0,
    });
    expect(digest([(await request.encode()).buffer])).toBe(
      'e93b777b08edd51f431b61debe098cd5534d687e11817352cb216670c5632366',
    );
  });

  it("record batches' CRC-32C, eight bytes a step: the same checksum as bit by bit", () => {
    const bitByBit = (buffer: Buffer) => {
      let crc = ~0;
      for (const byte of buffer) {
        crc ^= byte;
        for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
      }
      return ~crc >>> 0;
    };
    expect(crc32C(Buffer.from('123456789'))).toBe(0xe3069283);
    const bytes = createHash('sha512').update('crc').digest();
    const long = Buffer.concat(Array.from({ length: 80 }, () => bytes));
    for (let length = 0; length <= 24; length++)
      expect(crc32C(bytes.subarray(1, 1 + length))).toBe(bitByBit(bytes.subarray(1, 1 + length)));
    expect(crc32C(long.subarray(3))).toBe(bitByBit(long.subarray(3)));
  });
});
