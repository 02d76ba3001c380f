import { ratingEventWireNames } from '@afternoon/contracts/credits';
import { Topics } from '@afternoon/contracts/topics';
import { internalApiHeaders, newResourceId, TenantHeaders } from '@afternoon/service-kit';
import { eventually, produce, testInternalApiToken } from '@afternoon/testkit';
import { describe, expect, it } from 'vitest';
import { type Grant, ratingSpec } from '../../test/ratingSpec';

const usd = (amount: number) => [{ denomination: { type: 'currency', code: 'usd' }, amount }];

describe('rating usage.metered: marginal costs, credits drawn and given back, owed, and the ledger', () => {
  const invoicing = ratingSpec({ name: 'rating', mode: 'live', meterCode: 'rated_tokens' });
  const { tenant, topic, send, subscriber, publish, metered, tokens, rated, rows, lagOfRating } = invoicing;

  /** The ledger, of one customer or of all. */
  const ledger = async (customerId?: string) => {
    const of = [customerId ?? null];
    const whose = '($1::text IS NULL OR customer_id = $1)';
    return {
      rated: await rows(`SELECT * FROM rated_usage WHERE ${whose} ORDER BY usage_id`, of),
      totals: await rows(
        `SELECT subscription_id, price_id, period_start, group_key, quantity::text, owed::text FROM rating_totals
          WHERE $1::text IS NULL OR subscription_id IN (SELECT id FROM subscriptions WHERE customer_id = $1)
          ORDER BY subscription_id`,
        of,
      ),
      debits: await rows(`SELECT *, amount::text FROM credit_debits WHERE ${whose} ORDER BY event_position, entry`, of),
      consumed: await rows(`SELECT id, consumed::text FROM credit_grants WHERE ${whose} ORDER BY id`, of),
    };
  };
  const costOf = async (usageId: string) => (await ask(`/rated-usage/${usageId}`)).body;
  async function ask(path: string) {
    const response = await fetch(`http://127.0.0.1:${invoicing.service().port}${path}`, {
      headers: {
        ...internalApiHeaders(testInternalApiToken),
        [TenantHeaders.organizationId]: tenant.organizationId,
        [TenantHeaders.mode]: tenant.mode,
      },
    });
    // biome-ignore lint/suspicious/noExplicitAny: the answers are read field by field below
    return { status: response.status, body: (await response.json()) as any };
  }

  it("gives a volume price's negative cost back: first what is owed, then to the grant that covered it", {
    timeout: 120_000,
  }, async () => {
    // Volume, in cents per token: every token at 2 up to 100 in the period, every token at 0.5 past that.
    const { customerId, grantId } = await subscriber('volume_plan', { model: 'volume', tiers: twoTiers }, cents(100));
    const [first, second, third] = [tokens(1, 60), tokens(2, 50), tokens(3, 10)];
    await publish(metered(customerId, [first, second, third]));
    await rated(customerId, 3);
    // Totals 60, 110, 120: charges 120, 110 × 0.5 = 55, 60. Costs 120, 55 − 120 = −65, 60 − 55 = 5.
    const costs = await Promise.all([first, second, third].map(async ({ usage_id }) => (await costOf(usage_id)).cost));
    expect(costs).toEqual([usd(120), usd(-65), usd(5)]);
    // The grant of 100 covers 100 of 120 (20 owed); −65 clears the 20 owed and gives 45 back; 5 is drawn again.
    const { debits, consumed, totals } = await ledger(customerId);
    expect(debits.map((debit) => [debit.usage_id, debit.amount])).toEqual([
      [first.usage_id, '100'],
      [second.usage_id, '-45'],
      [third.usage_id, '5'],
    ]);
    expect(consumed).toEqual([{ id: grantId, consumed: '60' }]);
    expect(totals).toMatchObject([{ quantity: '120', owed: '0' }]);
    // By 1 January noon only the first event had drawn: 100 of 100; by 2 January noon 55.
    const balance = async (asOf: string) => (await ask(`/customers/${customerId}/balances?as_of=${asOf}`)).body;
    expect((await balance('2026-01-01T12:00:00Z')).balances).toMatchObject([{ consumed: 100, available: 0 }]);
    expect((await balance('2026-01-02T12:00:00Z')).balances).toMatchObject([{ consumed: 55, available: 45 }]);
  });

  it('rates a batch of records in order, each from the totals and draws the ones before it left', {
    timeout: 120_000,
  }, async () => {
    // As above, but each event in a record of its own, the three fetched and recorded as one batch.
    const { customerId, grantId } = await subscriber('batched_plan', { model: 'volume', tiers: twoTiers }, cents(100));
    const [first, second, third] = [tokens(1, 60), tokens(2, 50), tokens(3, 10)];
    await publish(metered(customerId, [first]), metered(customerId, [second]), metered(customerId, [third]));
    await rated(customerId, 3);
    const recordings = await rows(
      `SELECT DISTINCT transaction_id::text FROM events WHERE stream_id = $1 AND type = 'UsageRated'`,
      [`usage_rating-${customerId}`],
    );
    expect(recordings, 'one batch, one transaction').toHaveLength(1);
    // Totals 60, 110, 120: costs 120, 55 − 120 = −65, 60 − 55 = 5; drawn 100 (20 owed), 45 given back, 5 drawn.
    const costs = await Promise.all([first, second, third].map(async ({ usage_id }) => (await costOf(usage_id)).cost));
    expect(costs).toEqual([usd(120), usd(-65), usd(5)]);
    const { debits, consumed, totals } = await ledger(customerId);
    expect(debits.map((debit) => [debit.usage_id, debit.amount])).toEqual([
      [first.usage_id, '100'],
      [second.usage_id, '-45'],
      [third.usage_id, '5'],
    ]);
    expect(consumed).toEqual([{ id: grantId, consumed: '60' }]);
    expect(totals).toMatchObject([{ quantity: '120', owed: '0' }]);
  });

  it('holds a rated-usage question until the event is rated, then answers its cost with the balances after it', {
    timeout: 120_000,
  }, async () => {
    const { customerId } = await subscriber('waited_plan', { model: 'per_unit', unit_amount: '2' }, cents(100));
    const event = tokens(1, 30);
    const answer = ask(`/rated-usage/${event.usage_id}?wait_ms=20000`);
    await publish(metered(customerId, [event]));
    // 30 tokens × 2 cents = 60, drawn from the 100 granted; the balances are the customer's now, after the event.
    expect((await answer).body).toMatchObject({
      usage_id: event.usage_id,
      customer_id: customerId,
      cost: usd(60),
      balances: [{ granted: 100, consumed: 60, available: 40 }],
    });

    const waitedFrom = Date.now();
    const never = await ask(`/rated-usage/${newResourceId()}?wait_ms=300`);
    expect(never).toMatchObject({ status: 404, body: { error: { param: 'usage_id' } } });
    expect(Date.now() - waitedFrom).toBeGreaterThanOrEqual(300);
    expect(await ask(`/rated-usage/${event.usage_id}?wait_ms=-1`)).toMatchObject({ status: 400 });
  });

  it('rates a price in a pricing unit exactly in that unit, drawing the grant in it', {
    timeout: 120_000,
  }, async () => {
    await send('gpu_sec', 'CreatePricingUnit', {
      pricing_unit_id: newResourceId(),
      code: 'gpu_sec',
      name: 'GPU second',
      currency_conversion: { currency: 'usd', unit_amount: '2' },
    });
    // 1.5 GPU seconds a token, from a grant of 10 GPU seconds.
    const gpuSeconds = { amount: '10', denomination: { type: 'pricing_unit', code: 'gpu_sec' } } as const;
    const pricing = { model: 'per_unit', unit_amount: '1.5', pricing_unit_code: 'gpu_sec' };
    const { customerId, grantId } = await subscriber('gpu_plan', pricing, gpuSeconds);
    const [first, second] = [tokens(1, 3), tokens(2, 5)];
    await publish(metered(customerId, [first, second]));
    await rated(customerId, 2);
    // 3 × 1.5 = 4.5 and 5 × 1.5 = 7.5 GPU seconds, never rounded; the grant covers 4.5 and 5.5 of them, 2 owed.
    const costs = await Promise.all([first, second].map(async ({ usage_id }) => (await costOf(usage_id)).cost));
    const gpu = (amount: string) => [{ denomination: gpuSeconds.denomination, amount }];
    expect(costs).toEqual([gpu('4.5'), gpu('7.5')]);
    const { debits, consumed, totals } = await ledger(customerId);
    expect(debits.map((debit) => debit.amount)).toEqual(['4.5', '5.5']);
    expect(consumed).toEqual([{ id: grantId, consumed: '10' }]);
    expect(totals).toMatchObject([{ quantity: '8', owed: '2' }]);
    const { balances } = (await ask(`/customers/${customerId}/balances`)).body;
    expect(balances).toMatchObject([{ denomination: gpuSeconds.denomination, granted: '10', available: '0' }]);
  });

  it('picks up where it stopped: every event rated once, the costs adding up to the period charge', {
    timeout: 180_000,
  }, async () => {
    const { customerId, grantId } = await subscriber(
      'restart_plan',
      { model: 'graduated', tiers: twoTiers },
      cents(500),
    );
    // Ten records of 100 one-token events; the service stops once the first five are rated, the rest arrive meanwhile.
    const records = Array.from({ length: 10 }, () =>
      metered(
        customerId,
        Array.from({ length: 100 }, () => tokens(1, 1)),
      ),
    );
    for (const record of records.slice(0, 5)) await publish(record);
    await rated(customerId, 500);
    await invoicing.stop();
    for (const record of records.slice(5)) await publish(record);
    await invoicing.start();
    await rated(customerId, 1000);
    // 1,000 tokens: 100 × 2 + 900 × 0.5 = 650 for the period; the grant of 500 covers 500 of it, 150 owed.
    const { rated: events, debits, consumed, totals } = await ledger(customerId);
    const costs = events.map((event) => Number(event.cost[0].amount));
    expect(costs.reduce((total, cost) => total + cost, 0)).toBe(650);
    expect(debits.reduce((total, debit) => total + Number(debit.amount), 0)).toBe(500);
    expect(consumed).toEqual([{ id: grantId, consumed: '500' }]);
    expect(totals).toMatchObject([{ quantity: '1000', owed: '150' }]);
  });

  it('rates each event at its marginal cost across a tier boundary, draws the grant, then owes; rebuilt the same', {
    timeout: 180_000,
  }, async () => {
    // Graduated, in cents per token: the first 100 tokens at 2, every token after at 0.5.
    const { customerId, grantId } = await subscriber(
      'graduated_plan',
      { model: 'graduated', tiers: twoTiers },
      cents(300),
    );
    const [first, second, third, fourth] = [tokens(1, 60), tokens(2, 50), tokens(3, 1.5), tokens(4, 400)];
    const firstRecord = metered(customerId, [first, second, third]);
    await publish(firstRecord);
    await produce(topic(Topics.usageMetered.name), [{ key: customerId, value: 'not a metered record' }]);
    await publish(metered(customerId, [fourth]));
    await rated(customerId, 4);

    // Period totals 60, 110, 111.5, 511.5 tokens; charges 60×2 = 120; 100×2 + 10×0.5 = 205; 200 + 11.5×0.5 =
    // 205.75 → 206; 200 + 411.5×0.5 = 405.75 → 406. Costs: 120, 205 − 120 = 85, 206 − 205 = 1, 406 − 206 = 200.
    const events = [first, second, third, fourth];
    const costs = await Promise.all(events.map(async ({ usage_id }) => (await costOf(usage_id)).cost));
    expect(costs).toEqual([usd(120), usd(85), usd(1), usd(200)]);
    // The grant of 300 covers 120 + 85 + 1 = 206 and 94 of the last 200: 106 owed.
    const before = await ledger(customerId);
    expect(before.debits.map((debit) => [debit.usage_id, debit.amount])).toEqual(
      events.map(({ usage_id }, index) => [usage_id, ['120', '85', '1', '94'][index]]),
    );
    expect(before.consumed).toEqual([{ id: grantId, consumed: '300' }]);
    expect(before.totals).toMatchObject([{ quantity: '511.5', owed: '106' }]);

    const balances = await ask(`/customers/${customerId}/balances?as_of=2026-01-02T12:00:00Z`);
    // By 2 January noon only the first two events count: 120 + 85 = 205 consumed, 95 left.
    expect(balances.body.balances).toMatchObject([{ granted: 300, consumed: 205, available: 95, expired: 0 }]);
    expect((await ask(`/customers/${customerId}/balances`)).body.balances).toMatchObject([{ available: 0 }]);

    // Republished as metering's rebuild would: nothing changes.
    await publish(firstRecord);
    await eventually(() => expect(invoicing.deadLetters()).toHaveLength(1), {
      label: 'the bad record dead-lettered',
    });
    await eventually(async () => expect(await lagOfRating()).toBe(0), { timeout: 30_000, label: 'caught up' });
    expect(await ledger(customerId)).toEqual(before);
    const published = invoicing
      .usageRated()
      .filter((message) => JSON.parse(message.value ?? '{}').type === ratingEventWireNames.UsageRated);
    expect(published.filter((message) => message.key === `usage_rating-${customerId}`)).toHaveLength(2);
    const ratedOnInvoiceEvents = invoicing
      .invoiceEvents()
      .filter((message) => JSON.parse(message.value ?? '{}').type === ratingEventWireNames.UsageRated);
    expect(ratedOnInvoiceEvents, 'UsageRated goes to usage.rated only').toEqual([]);

    // Every customer's ledger, rebuilt from the event store alone, is what rating decided live.
    const everyone = await ledger();
    await invoicing.rebuild();
    expect(await ledger()).toEqual(everyone);
  });
});

const cents = (amount: number): Grant => ({ amount: String(amount), denomination: { type: 'currency', code: 'usd' } });

const twoTiers = [
  { up_to: 100, unit_amount: '2' },
  { up_to: null, unit_amount: '0.5' },
];
