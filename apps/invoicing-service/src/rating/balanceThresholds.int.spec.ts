import { ratingEventWireNames } from '@afternoon/contracts/credits';
import { eventually } from '@afternoon/testkit';
import { describe, expect, it } from 'vitest';
import { day, ratingSpec } from '../../test/ratingSpec';

const usd = { type: 'currency', code: 'usd' } as const;

describe('rating announces a balance falling below its low-balance threshold and reaching zero, once', () => {
  const invoicing = ratingSpec({ name: 'thresholds', mode: 'test', meterCode: 'thresholds_tokens' });
  const { tenant, send, subscriber, publish, metered, tokens, rated, rows, lagOfRating } = invoicing;

  /** The balance events of the customer's rating stream on invoice.events, as sent. */
  const announced = (customerId: string) =>
    invoicing
      .invoiceEvents()
      .filter((message) => message.key === `usage_rating-${customerId}`)
      .map((message) => JSON.parse(message.value ?? '{}'))
      .filter((event) => [ratingEventWireNames.BalanceLow, ratingEventWireNames.BalanceDepleted].includes(event.type))
      .map((event) => ({ type: event.type, data: event.data }));

  it('reads one BalanceLow and one BalanceDepleted; a redelivered record and a rebuild announce nothing again', {
    timeout: 180_000,
  }, async () => {
    await send(`${tenant.organizationId}-${tenant.mode}`, 'ConfigureBilling', {
      low_balance_thresholds: [{ denomination: usd, amount: '950' }],
    });
    // A customer on 1 cent a token from 1 January 2026, with a grant of 1,000 cents.
    const { customerId, grantId } = await subscriber(
      'cent_a_token',
      { model: 'per_unit', unit_amount: '1' },
      { amount: '1000', denomination: usd },
    );

    // Record 1: 1000 − 50 = 950 (at the threshold, not below), then 950 − 100 = 850 (below: low, on 2 January).
    // Record 2: 850 − 850 = 0 (depleted, on 3 January). Record 3: 0 − 10 owed, nothing drawn: nothing to announce.
    const records = [
      metered(customerId, [tokens(1, 50), tokens(2, 100)]),
      metered(customerId, [tokens(3, 850)]),
      metered(customerId, [tokens(4, 10)]),
    ];
    for (const record of records) await publish(record);
    await rated(customerId, 4);
    const expected = [
      {
        type: ratingEventWireNames.BalanceLow,
        data: { customer_id: customerId, denomination: usd, available: '850', threshold: '950', at: day(2) },
      },
      { type: ratingEventWireNames.BalanceDepleted, data: { customer_id: customerId, denomination: usd, at: day(3) } },
    ];
    await eventually(() => expect(announced(customerId)).toEqual(expected), {
      timeout: 30_000,
      label: 'low and depleted announced',
    });
    const stream = async () =>
      rows('SELECT type, version FROM events WHERE stream_id = $1 ORDER BY version', [`usage_rating-${customerId}`]);
    // On the rating stream, each after the UsageRated of the record that crossed it.
    expect((await stream()).map((event) => event.type)).toEqual([
      'UsageRated',
      'BalanceLow',
      'UsageRated',
      'BalanceDepleted',
      'UsageRated',
    ]);

    // Redelivered (as metering's rebuild would republish them): rated already, nothing announced again.
    for (const record of records.slice(0, 2)) await publish(record);
    await eventually(async () => expect(await lagOfRating()).toBe(0), { timeout: 30_000, label: 'caught up' });
    const storedBefore = await stream();
    expect(storedBefore).toHaveLength(5);
    expect(announced(customerId)).toEqual(expected);

    // A rebuild replays the stored events into the ledger and announces nothing; the stream is as it was.
    await invoicing.rebuild();
    await eventually(async () => expect(await lagOfRating()).toBe(0), { timeout: 30_000, label: 'caught up again' });
    expect(await stream()).toEqual(storedBefore);
    expect(await rows('SELECT consumed::text FROM credit_grants WHERE id = $1', [grantId])).toEqual([
      { consumed: '1000' },
    ]);
    expect(announced(customerId)).toEqual(expected);
  });
});
