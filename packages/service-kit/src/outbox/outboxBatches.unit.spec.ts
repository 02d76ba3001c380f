import { describe, expect, it } from 'vitest';
import { byteBoundedBatches, encodedSize } from './outboxBatches';

const sized = (id: string, size: number) => ({ id, size });
const ids = (batches: Array<Array<{ id: string }>>) => batches.map((batch) => batch.map(({ id }) => id));

describe('byte-bounded outbox batches', () => {
  it('fills each batch up to the limit, in order', () => {
    const messages = [sized('a', 40), sized('b', 40), sized('c', 30), sized('d', 50), sized('e', 10)];
    // 40 + 40 = 80, + 30 would be 110 > 100; 30 + 50 + 10 = 90.
    expect(ids(byteBoundedBatches(messages, 100))).toEqual([
      ['a', 'b'],
      ['c', 'd', 'e'],
    ]);
  });

  it('sends a message heavier than the limit alone, between its neighbours', () => {
    const messages = [sized('a', 10), sized('huge', 500), sized('b', 10)];
    expect(ids(byteBoundedBatches(messages, 100))).toEqual([['a'], ['huge'], ['b']]);
  });

  it('counts value, key and headers in bytes, not characters, plus the record framing', () => {
    const plain = encodedSize({ key: null, headers: {}, value: '' });
    expect(encodedSize({ key: 'ké', headers: {}, value: '€' })).toBe(plain + 3 + 3);
    expect(encodedSize({ key: null, headers: { h: 'vv' }, value: '' })).toBeGreaterThan(plain + 3);
  });
});
