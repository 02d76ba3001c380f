import type { Alert } from '@afternoon/contracts/alerts';
import { describe, expect, it } from 'vitest';
import { lifetime, type UsagePeriod } from './usagePeriod';
import { type CountedEvent, noticeKey, tallyUsage, totalKey } from './usageTally';

const customerId = 'cmalertcustomer0000000001';
const january: UsagePeriod = { start: new Date('2026-01-01T00:00:00Z'), end: new Date('2026-02-01T00:00:00Z') };
const february: UsagePeriod = { start: new Date('2026-02-01T00:00:00Z'), end: new Date('2026-03-01T00:00:00Z') };

const alert: Alert = {
  id: 'cmalert000000000000000001',
  name: null,
  meter_code: 'api_calls',
  threshold: '10',
  customer_id: null,
  scope: 'billing_period',
  created_at: '2026-01-01T00:00:00.000Z',
};

function event(
  usageId: string,
  quantity: string,
  period = january,
  receivedAt = '2026-01-10T00:00:00.000Z',
): CountedEvent {
  return {
    usageId,
    timestamp: period.start!.toISOString(),
    receivedAt,
    quantities: [{ meterCode: 'api_calls', quantity }],
    periods: { billing_period: period, lifetime },
  };
}

describe('usage alerts tally', () => {
  it('tells an alert when the usage reaches exactly its threshold, with the total then', () => {
    // 4 + 6 = 10: exactly the threshold
    const { crossings, totals } = tallyUsage(
      customerId,
      [event('u1', '4'), event('u2', '6')],
      [alert],
      new Map(),
      new Set(),
    );
    expect(crossings).toEqual([
      expect.objectContaining({
        alert_id: alert.id,
        customer_id: customerId,
        value: '10',
        threshold: '10',
        usage_id: 'u2',
        period_start: '2026-01-01T00:00:00.000Z',
        period_end: '2026-02-01T00:00:00.000Z',
      }),
    ]);
    expect(totals).toEqual(
      expect.arrayContaining([
        { meterCode: 'api_calls', period: january, quantity: '10' },
        { meterCode: 'api_calls', period: lifetime, quantity: '10' },
      ]),
    );
  });

  it('stays quiet below the threshold, counting exact decimals', () => {
    // 9.999 + 0.0009 = 9.9999 < 10
    const { crossings, totals } = tallyUsage(
      customerId,
      [event('u1', '9.999'), event('u2', '0.0009')],
      [alert],
      new Map(),
      new Set(),
    );
    expect(crossings).toEqual([]);
    expect(totals.find((total) => total.period === january)?.quantity).toBe('9.9999');
  });

  it('tells an alert once per period: a later event in the same period says nothing', () => {
    const first = tallyUsage(customerId, [event('u1', '12')], [alert], new Map(), new Set());
    expect(first.crossings).toHaveLength(1);
    const stored = new Map(first.totals.map((total) => [totalKey(total.meterCode, total.period), total.quantity]));
    const notified = new Set([noticeKey(alert.id, january)]);
    expect(tallyUsage(customerId, [event('u2', '5')], [alert], stored, notified).crossings).toEqual([]);
    // Within one batch too.
    expect(
      tallyUsage(customerId, [event('u1', '12'), event('u2', '5')], [alert], new Map(), new Set()).crossings,
    ).toHaveLength(1);
  });

  it("tells the alert again in the next period, from that period's own total", () => {
    const notified = new Set([noticeKey(alert.id, january)]);
    const stored = new Map([[totalKey('api_calls', january), '12']]);
    const { crossings } = tallyUsage(
      customerId,
      [event('u3', '9', february), event('u4', '1', february)],
      [alert],
      stored,
      notified,
    );
    expect(crossings).toEqual([
      expect.objectContaining({ usage_id: 'u4', value: '10', period_start: february.start!.toISOString() }),
    ]);
  });

  it('counts a lifetime alert over every period, once ever', () => {
    const ever: Alert = { ...alert, id: 'cmalert000000000000000002', scope: 'lifetime', threshold: '15' };
    const { crossings } = tallyUsage(
      customerId,
      [event('u1', '8'), event('u2', '8', february), event('u3', '8', february)],
      [alert, ever],
      new Map(),
      new Set(),
    );
    // billing_period: january 8, february 16 (fires at u3); lifetime: 8, 16 (fires at u2), 24 (told already)
    expect(crossings.map((crossing) => [crossing.alert_id, crossing.usage_id, crossing.value])).toEqual([
      [ever.id, 'u2', '16'],
      [alert.id, 'u3', '16'],
    ]);
    expect(crossings.find((crossing) => crossing.alert_id === ever.id)).toMatchObject({
      period_start: null,
      period_end: null,
    });
  });

  it('counts usage from before the alert existed, but only usage received after it tells it', () => {
    const late: Alert = { ...alert, created_at: '2026-01-15T00:00:00.000Z' };
    const { crossings } = tallyUsage(
      customerId,
      [event('u1', '11', january, '2026-01-14T00:00:00.000Z'), event('u2', '1', january, '2026-01-16T00:00:00.000Z')],
      [late],
      new Map(),
      new Set(),
    );
    expect(crossings).toEqual([expect.objectContaining({ usage_id: 'u2', value: '12' })]);
  });

  it('ignores alerts of another customer or meter', () => {
    const theirs: Alert = { ...alert, customer_id: 'cmsomebodyelse00000000001' };
    const otherMeter: Alert = { ...alert, id: 'cmalert000000000000000003', meter_code: 'gb_stored' };
    expect(tallyUsage(customerId, [event('u1', '100')], [theirs, otherMeter], new Map(), new Set()).crossings).toEqual(
      [],
    );
  });
});
