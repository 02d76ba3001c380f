import { Headers } from '@afternoon/contracts/messaging';
import { EventsRejectedPayload } from '@afternoon/contracts/webhookCatalog';
import { WebhookEvent } from '@afternoon/contracts/webhooks';
import type { ConsumedRecord } from '@afternoon/service-kit';
import { describe, expect, it } from 'vitest';
import { rejectedUsageEvent, rejectionReasonCode } from './rejectedUsage';
import { deadLetteredUsage } from './test/sourceRecords';

const tenant = { organizationId: 'org_catalog', mode: 'live' as const };

const deadLetter = (
  record: { key: string; value: string; headers: Record<string, string> },
  offset = '7',
): ConsumedRecord => ({
  topic: 'usage.ingest.dlq',
  partition: 0,
  offset,
  timestamp: String(Date.parse('2026-03-01T10:00:01.000Z')),
  ...record,
});

describe('dead-lettered usage', () => {
  it('becomes events.rejected for the tenant that sent it, with its names and the reason', () => {
    const record = deadLetteredUsage(tenant, { reason: 'unknown customer: cus_x', source: 'usage.ingest/3/41' });
    const rejected = rejectedUsageEvent(deadLetter(record));
    expect(rejected?.tenant).toEqual(tenant);
    const event = WebhookEvent.parse(rejected?.event);
    expect(event).toMatchObject({
      type: 'events.rejected',
      version: 1,
      mode: 'live',
      timestamp: '2026-03-01T10:00:01.000Z',
    });
    expect(EventsRejectedPayload.parse(event.data)).toEqual({
      idempotency_key: record.usage.idempotency_key,
      event_name: 'api_call',
      customer_id: record.usage.customer_id,
      reason_code: 'unknown_customer',
      reason: 'unknown customer: cus_x',
    });
  });

  it('has the same id wherever the same refusal is dead-lettered again, another for another refusal', () => {
    const record = deadLetteredUsage(tenant, { reason: 'unknown customer: cus_x', source: 'usage.ingest/3/41' });
    const first = rejectedUsageEvent(deadLetter(record, '7'))?.event.id;
    expect(rejectedUsageEvent(deadLetter(record, '9'))?.event.id).toBe(first);
    const other = deadLetteredUsage(tenant, { reason: 'unknown customer: cus_x', source: 'usage.ingest/3/42' });
    expect(rejectedUsageEvent(deadLetter(other))?.event.id).not.toBe(first);
  });

  it("names the tenant from the record's own fields when a producer wrote it without headers", () => {
    const { headers, ...record } = deadLetteredUsage(tenant, {
      reason: 'invalid usage record: timestamp: bad',
      source: 'usage.ingest/0/1',
    });
    const withoutTenant = { [Headers.deadLetterReason]: headers[Headers.deadLetterReason]! };
    expect(rejectedUsageEvent(deadLetter({ ...record, headers: withoutTenant }))?.tenant).toEqual(tenant);
  });

  it('makes none for a record that names no tenant, and keeps only the names it has', () => {
    const reason = { [Headers.deadLetterReason]: 'not a valid record: poison' };
    expect(rejectedUsageEvent(deadLetter({ key: 'k', value: 'not json', headers: reason }))).toBeUndefined();
    const named = { ...reason, [Headers.organizationId]: 'org_catalog', [Headers.mode]: 'test' };
    const rejected = rejectedUsageEvent(deadLetter({ key: 'k', value: '{"event_name": 42}', headers: named }));
    expect(rejected?.event.data).toEqual({ reason_code: 'invalid_record', reason: 'not a valid record: poison' });
  });

  it("takes the code from metering's header over what the reason's text would say", () => {
    // The text reads as `unknown_customer`; the header is what metering decided.
    const record = deadLetteredUsage(tenant, {
      reason: 'unknown customer: cus_x',
      code: 'customer_deleted',
      source: 'usage.ingest/3/43',
    });
    expect(rejectedUsageEvent(deadLetter(record))?.event.data).toMatchObject({
      reason_code: 'customer_deleted',
      reason: 'unknown customer: cus_x',
    });
  });

  it('reads the code from the text for a dead letter from before the header, or with a header that is no code', () => {
    const before = deadLetteredUsage(tenant, { reason: 'unknown customer: cus_x', source: 'usage.ingest/3/44' });
    expect(before.headers[Headers.deadLetterReasonCode]).toBeUndefined();
    expect(rejectedUsageEvent(deadLetter(before))?.event.data.reason_code).toBe('unknown_customer');
    const unknownCode = { ...before, headers: { ...before.headers, [Headers.deadLetterReasonCode]: 'exploded' } };
    expect(rejectedUsageEvent(deadLetter(unknownCode))?.event.data.reason_code).toBe('unknown_customer');
  });

  it.each([
    ['invalid usage record: customer_id: must be an Afternoon id', 'invalid_record'],
    ['unknown customer: cus_1', 'unknown_customer'],
    ['customer deleted before the event was received: cus_1', 'customer_deleted'],
    ['refused by the store: invalid byte sequence', 'unstorable_value'],
    ['duplicate idempotency_key with different content', 'conflicting_duplicate'],
    ['not a valid record: poison', 'invalid_record'],
  ])('reads the code of "%s" as %s', (reason, code) => {
    expect(rejectionReasonCode(reason)).toBe(code);
  });
});
