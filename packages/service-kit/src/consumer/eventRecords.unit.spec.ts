import { Headers } from '@afternoon/contracts/messaging';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { PoisonRecordError } from '../errors';
import { decodeEventRecord } from './eventRecords';
import type { ConsumedRecord } from './records';

const ClockAdvanced = z.object({ type: z.literal('ClockAdvanced'), data: z.object({ clock_id: z.string() }) });
const wireNames = { ClockAdvanced: 'afternoon.invoicing.v1.test_clock_advanced' };
const metadata = {
  organization_id: 'org_1',
  mode: 'test',
  occurred_at: '2027-01-01T00:00:00.000Z',
  correlation_id: 'c',
  causation_id: 'c',
};

const record = (value: string, headers: Record<string, string> = {}): ConsumedRecord => ({
  topic: 'invoice.events',
  partition: 0,
  offset: '7',
  timestamp: '0',
  key: 'clock_1',
  value,
  headers,
});
const envelope = (type: string, data: unknown) =>
  JSON.stringify({ event_id: 'evt_1', stream_id: 'clock_1', version: 3, type, data, metadata });

describe('decoding another service’s event record', () => {
  it('decodes a type the contract names, with its wire name, version and metadata', () => {
    const decoded = decodeEventRecord(
      record(envelope(wireNames.ClockAdvanced, { clock_id: 'clock_1' }), {
        [Headers.eventType]: wireNames.ClockAdvanced,
      }),
      ClockAdvanced,
      wireNames,
    );
    expect(decoded).toEqual({
      event: { type: 'ClockAdvanced', data: { clock_id: 'clock_1' } },
      wireType: wireNames.ClockAdvanced,
      version: 3,
      metadata,
    });
  });

  it('skips a type its header says the contract does not name, without reading the value', () => {
    const other = record('{"not": "read"', { [Headers.eventType]: 'afternoon.invoicing.v1.invoice_finalized' });
    expect(decodeEventRecord(other, ClockAdvanced, wireNames)).toBeUndefined();
  });

  it('reads a record without the header, skipping a type the contract does not name', () => {
    const unheaded = record(envelope('afternoon.invoicing.v1.invoice_finalized', { invoice_id: 'in_1' }));
    expect(decodeEventRecord(unheaded, ClockAdvanced, wireNames)).toBeUndefined();
  });

  it('refuses a record of a named type that breaks the contract, and one that is not an event record', () => {
    const named = { [Headers.eventType]: wireNames.ClockAdvanced };
    expect(() => decodeEventRecord(record('{"not": "json"', named), ClockAdvanced, wireNames)).toThrow(
      PoisonRecordError,
    );
    const badData = record(envelope(wireNames.ClockAdvanced, { clock_id: 7 }), named);
    expect(() => decodeEventRecord(badData, ClockAdvanced, wireNames)).toThrow(PoisonRecordError);
  });
});
