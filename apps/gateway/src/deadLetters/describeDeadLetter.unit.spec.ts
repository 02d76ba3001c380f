import { deadLetterValueLimit } from '@afternoon/contracts/deadLetters';
import { Headers } from '@afternoon/contracts/messaging';
import { describe, expect, it } from 'vitest';
import { describeDeadLetter } from './describeDeadLetter';
import { newestFirst } from './listDeadLetters';
import type { DeadLetterRecord } from './readDeadLetterTopics';

const at = Date.parse('2026-03-01T10:00:00.000Z');
const record = (value: string | null, headers: Record<string, string> = {}): DeadLetterRecord => ({
  topic: 'usage.ingest.dlq',
  partition: 0,
  offset: '7',
  timestamp: String(at),
  key: 'cus_1',
  value,
  headers,
});

describe('describeDeadLetter', () => {
  it('names a usage record by its organization, mode and event name, with its reason and source', () => {
    const usage = { organization_id: 'org_1', mode: 'test', event_name: 'api_call', idempotency_key: 'k1' };
    const letter = describeDeadLetter(
      record(JSON.stringify(usage), {
        [Headers.deadLetterReason]: 'unknown customer',
        [Headers.deadLetterSource]: 'usage.ingest/3/99',
      }),
      undefined,
    );
    expect(letter).toEqual({
      id: 'usage.ingest.dlq/0/7',
      topic: 'usage.ingest.dlq',
      source: 'usage.ingest/3/99',
      reason: 'unknown customer',
      dead_lettered_at: '2026-03-01T10:00:00.000Z',
      organization_id: 'org_1',
      mode: 'test',
      type: 'api_call',
      key: 'cus_1',
      value: JSON.stringify(usage),
      value_truncated: false,
      replayed_at: null,
      replays: 0,
    });
  });

  it('prefers the headers, reads a command or event from its metadata, and says when it was replayed', () => {
    const command = { type: 'CreateCustomer', data: {}, metadata: { organization_id: 'org_2', mode: 'live' } };
    const letter = describeDeadLetter(record(JSON.stringify(command), { [Headers.organizationId]: 'org_3' }), {
      replayedAt: '2026-03-02T00:00:00.000Z',
      replays: 2,
    });
    expect(letter).toMatchObject({
      organization_id: 'org_3',
      mode: 'live',
      type: 'CreateCustomer',
      replayed_at: '2026-03-02T00:00:00.000Z',
      replays: 2,
    });
  });

  it('keeps what it cannot read as it is, and truncates long values', () => {
    expect(describeDeadLetter(record('x'.repeat(deadLetterValueLimit + 1)), undefined)).toMatchObject({
      organization_id: null,
      mode: null,
      type: null,
      value: 'x'.repeat(deadLetterValueLimit),
      value_truncated: true,
    });
    expect(describeDeadLetter(record(null), undefined)).toMatchObject({ value: null, value_truncated: false });
  });
});

describe('newestFirst', () => {
  it('orders by time, newest first, then by offset as a number, not as text', () => {
    const letters = [
      { id: 'customer.commands.dlq/0/9', dead_lettered_at: '2026-03-01T10:00:00.000Z' },
      { id: 'customer.commands.dlq/0/10', dead_lettered_at: '2026-03-01T10:00:00.000Z' },
      { id: 'consumers.dlq/0/1', dead_lettered_at: '2026-03-01T11:00:00.000Z' },
    ];
    expect([...letters].sort(newestFirst).map((letter) => letter.id)).toEqual([
      'consumers.dlq/0/1',
      'customer.commands.dlq/0/10',
      'customer.commands.dlq/0/9',
    ]);
  });
});
