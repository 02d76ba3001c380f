import { coverageKey } from '@afternoon/billing-core/periodLines';
import { createPool, migrate, newResourceId, type Tenant } from '@afternoon/service-kit';
import { dropSchemas, testInfra, uniqueName } from '@afternoon/testkit';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrationsDir } from '../app';
import { invoiceCredits } from './invoiceCredits';

const tenant: Tenant = { organizationId: 'org_credits', mode: 'live' };
const subscriptionId = 'cm5x9z8nv0000h85r7l9p2k5a';
const otherSubscription = 'cm5x9z8nv0000h85r7l9p2k5b';
/** The pricing-unit case bills a subscription of its own. */
const gpuSubscription = 'cm5x9z8nv0000h85r7l9p2k5f';
const prices = {
  calls: 'cm5x9z8nv0000h85r7l9p2k5c',
  gpu: 'cm5x9z8nv0000h85r7l9p2k5d',
  tokens: 'cm5x9z8nv0000h85r7l9p2k5e',
};
const january = '2027-01-01T00:00:00Z';
const february = '2027-02-01T00:00:00Z';
const march = new Date('2027-03-01T00:00:00Z');
const gpt = JSON.stringify({ model: 'gpt' });
const mini = JSON.stringify({ model: 'mini' });

describe('the credits an invoice applies: the ledger minus what earlier invoices applied', () => {
  const schema = uniqueName('invoice_credits');
  let pool: pg.Pool;
  let position = 0;

  beforeAll(async () => {
    pool = createPool({ url: testInfra().databaseUrl, schema, applicationName: 'invoice-credits-test' });
    await migrate(pool, schema, migrationsDir);
    const grant = async (id: string, name: string, type: string, code: string, createdAt: string) =>
      pool.query(
        `INSERT INTO credit_grants (id, organization_id, mode, subscription_id, customer_id, name, denomination_type,
           denomination_code, amount, status, priority, effective_at, created_at)
         VALUES ($1, $2, 'live', $3, 'cust', $4, $5, $6, 100000, 'active', 0, $7, $7)`,
        [id, tenant.organizationId, subscriptionId, name, type, code, createdAt],
      );
    await grant('grant_promo', 'Promo', 'currency', 'usd', '2026-12-01T00:00:00Z');
    await grant('grant_prepaid', 'Prepaid', 'currency', 'usd', '2026-12-02T00:00:00Z');
    await grant('grant_euro', 'Euro', 'currency', 'eur', '2026-12-03T00:00:00Z');
    await grant('grant_gpu', 'GPU bundle', 'pricing_unit', 'gpu_sec', '2026-12-04T00:00:00Z');
  });
  afterAll(async () => {
    await pool?.end();
    await dropSchemas(schema);
  });

  const debit = (
    grantId: string,
    priceId: string,
    periodStart: string,
    amount: string,
    groupKey: string | null,
    subscription = subscriptionId,
  ) =>
    pool.query(
      `INSERT INTO credit_debits (event_position, entry, usage_id, grant_id, organization_id, mode, customer_id,
         subscription_id, price_id, period_start, group_key, amount, effective_at)
       VALUES ($1, 0, $2, $3, $4, 'live', 'cust', $5, $6, $7, $8, $9, $7)`,
      [
        ++position,
        newResourceId(),
        grantId,
        tenant.organizationId,
        subscription,
        priceId,
        periodStart,
        groupKey,
        amount,
      ],
    );
  /** A stored invoice of the subscription at `boundary` with the given lines (only what the reading needs). */
  const invoice = (boundary: string, lines: unknown[], subscription = subscriptionId) =>
    pool.query(
      `INSERT INTO invoices (id, organization_id, mode, customer_id, status, version, state, document, created_at,
         subscription_id, billing_boundary)
       VALUES ($1, $2, 'live', 'cust', 'open', 2, $3, '{}', $4, $5, $4)`,
      [
        newResourceId(),
        tenant.organizationId,
        JSON.stringify({ subscriptionLineItems: lines }),
        boundary,
        subscription,
      ],
    );
  const credits = (boundary: Date, subscription = subscriptionId) =>
    invoiceCredits(pool, tenant, { subscriptionId: subscription, currency: 'usd', boundary });

  it('applies currency debits of periods before the boundary, once, a debit rated late by the next invoice', async () => {
    await debit('grant_promo', prices.calls, january, '300', null);
    await debit('grant_prepaid', prices.calls, january, '500', null);
    await debit('grant_prepaid', prices.calls, february, '200', null);
    await debit('grant_euro', prices.calls, january, '100', null);
    // At 1 Feb: January's debits in usd, in the grants' order (Feb's and the euro grant's are not this invoice's).
    expect((await credits(new Date(february))).currencyCredits).toEqual({
      grants: [
        { grant_id: 'grant_promo', name: 'Promo', amount_cents: 300 },
        { grant_id: 'grant_prepaid', name: 'Prepaid', amount_cents: 500 },
      ],
      unattributedCents: 0,
    });
    // February's invoice applied Promo's 300 and 200 of Prepaid's 500 (capped); another subscription's is not read.
    const applied = (grants: [string | null, number][]) => ({
      kind: 'credit_applied',
      price_id: null,
      amount_cents: grants.reduce((sum, [, cents]) => sum + cents, 0),
      credit_grants: grants.map(([grant_id, amount_cents]) => ({ grant_id, name: grant_id, amount_cents })),
    });
    await invoice(february, [
      applied([
        ['grant_promo', -300],
        ['grant_prepaid', -200],
      ]),
    ]);
    // A January invoice of the subscription applied 40¢ on an "other grants" entry, naming no grant.
    await invoice(january, [applied([[null, -40]])]);
    await invoice(february, [applied([['grant_prepaid', -999]])], otherSubscription);
    // 50¢ more of January rated after February's invoice was built.
    await debit('grant_promo', prices.calls, january, '50', null);
    // At 1 Mar: Promo 300 + 50 − 300 = 50; Prepaid 500 + 200 − 200 = 500; and the 40¢ no grant is named for.
    expect((await credits(march)).currencyCredits).toEqual({
      grants: [
        { grant_id: 'grant_promo', name: 'Promo', amount_cents: 50 },
        { grant_id: 'grant_prepaid', name: 'Prepaid', amount_cents: 500 },
      ],
      unattributedCents: 40,
    });
    // The invoice at 1 Feb, built again, reads only the invoices before it: the late 50¢ and January's 40¢ besides.
    expect((await credits(new Date(february))).currencyCredits).toEqual({
      grants: [
        { grant_id: 'grant_promo', name: 'Promo', amount_cents: 350 },
        { grant_id: 'grant_prepaid', name: 'Prepaid', amount_cents: 500 },
      ],
      unattributedCents: 40,
    });
  });

  it('covers pricing-unit lines by price and group, less what earlier invoices showed covered', async () => {
    await debit('grant_gpu', prices.gpu, january, '100', null, gpuSubscription);
    await debit('grant_gpu', prices.tokens, january, '40', gpt, gpuSubscription);
    await debit('grant_gpu', prices.tokens, january, '10', mini, gpuSubscription);
    expect((await credits(new Date(february), gpuSubscription)).coveredUnits).toEqual({
      [prices.gpu]: { [coverageKey(null)]: '100' },
      [prices.tokens]: { [coverageKey({ model: 'gpt' })]: '40', [coverageKey({ model: 'mini' })]: '10' },
    });
    // February's invoice covered 70 of the GPU units, 40 of gpt's, and 10 on an "other groups" line (mini's).
    const usageLine = (priceId: string, covered: string, usage: Record<string, unknown>) => ({
      kind: 'usage',
      price_id: priceId,
      amount_cents: 0,
      pricing_unit: { code: 'gpu_sec', quantity: '1000', unit_amount: '0.25', covered, billed: '0' },
      usage: { meter_code: 'm', group: null, ...usage },
    });
    await invoice(
      february,
      [
        usageLine(prices.gpu, '70', {}),
        usageLine(prices.tokens, '40', { group: { model: 'gpt' } }),
        usageLine(prices.tokens, '10', { summed_groups: 1 }),
      ],
      gpuSubscription,
    );
    await debit('grant_gpu', prices.tokens, february, '5', mini, gpuSubscription);
    // At 1 Mar: GPU 100 − 70 = 30. Tokens: gpt 40 − 40 = 0; mini 15 by its own count, but the price's total is
    // 55 − 40 − 10 = 5 (mini's 10 were shown on the summed line): 5, never covered twice.
    expect((await credits(march, gpuSubscription)).coveredUnits).toEqual({
      [prices.gpu]: { [coverageKey(null)]: '30' },
      [prices.tokens]: { [coverageKey({ model: 'mini' })]: '5' },
    });
  });
});
