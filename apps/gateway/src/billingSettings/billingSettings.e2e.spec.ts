import type { GatewayClient } from '@afternoon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster, type TestOrganization } from '../../test/testCluster';

describe('billing settings through the gateway: the grace period and low-balance thresholds', () => {
  let cluster: TestCluster;
  let acme: TestOrganization;
  let client: GatewayClient;

  beforeAll(async () => {
    cluster = await startTestCluster();
    acme = await cluster.createOrganization('Acme Inc.');
    client = acme.test;
    const unit = await client.post('/v1/pricing_units', { code: 'gpu_sec', name: 'GPU second' });
    expect(unit.status).toBe(201);
  });
  afterAll(() => cluster?.stop());

  const settings = async (of: GatewayClient = client) => (await of.get('/v1/billing_settings')).body.billing_settings;

  it('sets either setting alone, keeping the other, and shows both', async () => {
    // The cluster's default grace period is an hour; no thresholds until some are set.
    expect(await settings()).toEqual({
      invoice_grace_period_seconds: 3600,
      low_balance_thresholds: [],
      updated_at: null,
    });

    const thresholds = [
      { currency_code: 'usd', amount: 500 },
      { pricing_unit_code: 'gpu_sec', amount: '12.50' },
    ];
    const set = await client.patch('/v1/billing_settings', { low_balance_thresholds: thresholds });
    expect(set.status).toBe(200);
    // A pricing unit's amount in its shortest exact form; a currency's in whole minor units.
    const shown = [
      { currency_code: 'usd', amount: 500 },
      { pricing_unit_code: 'gpu_sec', amount: '12.5' },
    ];
    expect(set.body).toEqual({
      success: true,
      billing_settings: {
        invoice_grace_period_seconds: 3600,
        low_balance_thresholds: shown,
        updated_at: expect.any(String),
      },
      request_id: expect.any(String),
    });
    expect(await settings()).toEqual(set.body.billing_settings);

    const grace = await client.patch('/v1/billing_settings', { invoice_grace_period_seconds: 600 });
    expect(grace.status).toBe(200);
    expect(grace.body.billing_settings).toMatchObject({
      invoice_grace_period_seconds: 600,
      low_balance_thresholds: shown,
    });

    const both = await client.patch('/v1/billing_settings', {
      invoice_grace_period_seconds: 0,
      low_balance_thresholds: [{ currency_code: 'eur', amount: '2500' }],
    });
    expect(both.body.billing_settings).toMatchObject({
      invoice_grace_period_seconds: 0,
      low_balance_thresholds: [{ currency_code: 'eur', amount: 2500 }],
    });
    expect(await settings()).toEqual(both.body.billing_settings);
    // Per organization and mode: live mode keeps the defaults.
    expect(await settings(acme.live)).toEqual({
      invoice_grace_period_seconds: 3600,
      low_balance_thresholds: [],
      updated_at: null,
    });

    const cleared = await client.patch('/v1/billing_settings', { low_balance_thresholds: [] });
    expect(cleared.body.billing_settings).toMatchObject({
      invoice_grace_period_seconds: 0,
      low_balance_thresholds: [],
    });
  });

  it('refuses a bad body with a 400 naming the field, and changes nothing', async () => {
    const before = await settings();
    const many = Array.from({ length: 51 }, (_, index) => ({ pricing_unit_code: `unit_${index}`, amount: '1' }));
    const cases: [unknown, string][] = [
      [{}, 'invoice_grace_period_seconds'],
      [
        { low_balance_thresholds: [{ currency_code: 'usd', pricing_unit_code: 'gpu_sec', amount: 1 }] },
        'low_balance_thresholds[0].currency_code',
      ],
      [{ low_balance_thresholds: [{ amount: 1 }] }, 'low_balance_thresholds[0].pricing_unit_code'],
      [{ low_balance_thresholds: [{ currency_code: 'usd', amount: 12.5 }] }, 'low_balance_thresholds[0].amount'],
      [{ low_balance_thresholds: [{ currency_code: 'usd', amount: 0 }] }, 'low_balance_thresholds[0].amount'],
      [{ low_balance_thresholds: [{ currency_code: 'xyz', amount: 1 }] }, 'low_balance_thresholds[0].currency_code'],
      [{ low_balance_thresholds: [{ currency_code: 'usd', amount: 1, note: 'x' }] }, 'low_balance_thresholds[0].note'],
      [
        {
          low_balance_thresholds: [
            { currency_code: 'usd', amount: 1 },
            { currency_code: 'usd', amount: 2 },
          ],
        },
        'low_balance_thresholds[1].currency_code',
      ],
      [{ low_balance_thresholds: many }, 'low_balance_thresholds'],
      // A pricing unit the organization does not have (in this mode).
      [
        {
          low_balance_thresholds: [
            { currency_code: 'usd', amount: 1 },
            { pricing_unit_code: 'token', amount: '1' },
          ],
        },
        'low_balance_thresholds[1].pricing_unit_code',
      ],
      [{ low_balance_thresholds: { currency_code: 'usd', amount: 1 } }, 'low_balance_thresholds'],
    ];
    for (const [body, param] of cases) {
      const refused = await client.patch('/v1/billing_settings', body);
      expect(refused.status, JSON.stringify(body)).toBe(400);
      expect(refused.body, JSON.stringify(body)).toMatchObject({
        success: false,
        error: { code: 'VALIDATION_ERROR', param },
      });
    }
    expect(await settings()).toEqual(before);
  });
});
