import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster, type TestOrganization } from '../../test/testCluster';

const proPlan = {
  code: 'pro',
  name: 'Pro',
  interval: 'month',
  prices: [
    { model: 'flat', description: 'Platform fee', amount_cents: 4900, timing: 'in_advance' },
    { model: 'per_unit', description: 'API calls', meter_code: 'api_calls', unit_amount: '0.25', free_units: 1000 },
    {
      model: 'graduated',
      description: 'Tokens',
      meter_code: 'tokens',
      tiers: [
        { up_to: 1000, unit_amount: '0.01' },
        { up_to: null, unit_amount: '0.005', flat_amount: '100' },
      ],
    },
  ],
};

describe('plans through the gateway', () => {
  let cluster: TestCluster;
  let acme: TestOrganization;
  let globex: TestOrganization;

  beforeAll(async () => {
    cluster = await startTestCluster();
    acme = await cluster.createOrganization('Acme Inc.');
    globex = await cluster.createOrganization('Globex');
    for (const [code, property] of [
      ['api_calls', null],
      ['tokens', 'tokens'],
    ] as const) {
      const meter = property
        ? { code, name: code, event_name: 'llm', aggregation: 'sum', property }
        : { code, name: code, event_name: 'api.request', aggregation: 'count' };
      expect((await acme.live.post('/v1/meters', meter)).status).toBe(201);
    }
  });
  afterAll(() => cluster?.stop());

  it('creates a plan whose prices each get an id, and reads it back', async () => {
    const created = await acme.live.post('/v1/plans', proPlan);
    expect(created.status).toBe(201);
    const plan = created.body.plan;
    expect(plan).toMatchObject({
      code: 'pro',
      version: 1,
      currency: 'usd',
      status: 'active',
      minimum_amount_cents: null,
    });
    expect(plan.prices).toHaveLength(3);
    for (const price of plan.prices) expect(price.id).toMatch(/^[a-z][a-z0-9]{24}$/);
    expect((await acme.live.get('/v1/plans/pro')).body.plan).toEqual(plan);
    expect((await acme.live.get('/v1/plans')).body.plans.map((listed: { code: string }) => listed.code)).toEqual([
      'pro',
    ]);
    expect((await acme.live.post('/v1/plans', proPlan)).body.error).toMatchObject({ code: 'CONFLICT', param: 'code' });
    expect((await globex.live.get('/v1/plans/pro')).status).toBe(404);
    expect((await acme.test.get('/v1/plans/pro')).status).toBe(404);
  });

  it('revises into a new version and keeps every earlier one readable', async () => {
    const before = (await acme.live.get('/v1/plans/pro')).body.plan;
    const [fee, calls] = before.prices;
    const revised = await acme.live.patch('/v1/plans/pro', {
      name: 'Pro 2026',
      prices: [
        { ...fee, amount_cents: 5900 },
        calls,
        { model: 'package', description: 'Exports', meter_code: 'api_calls', package_size: 100, package_amount: '50' },
      ],
    });
    expect(revised.status).toBe(200);
    expect(revised.body.plan).toMatchObject({ version: 2, name: 'Pro 2026' });
    // Prices that kept their id are the same prices; the new one has a new id.
    expect(revised.body.plan.prices.map((price: { id: string }) => price.id).slice(0, 2)).toEqual([fee.id, calls.id]);
    expect(revised.body.plan.prices[0].amount_cents).toBe(5900);
    const first = await acme.live.get('/v1/plans/pro?version=1');
    expect(first.body.plan).toMatchObject({ version: 1, name: 'Pro' });
    expect(first.body.plan.prices).toEqual(before.prices);
    expect((await acme.live.get('/v1/plans/pro?version=3')).status).toBe(404);
  });

  it('refuses prices that bill a meter the organization does not have, naming the field', async () => {
    const refused = await acme.live.post('/v1/plans', {
      ...proPlan,
      code: 'unmetered',
      prices: [proPlan.prices[0], { ...proPlan.prices[1], meter_code: 'nothing_here' }],
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ code: 'VALIDATION_ERROR', param: 'prices[1].meter_code' });
    // Globex has no meters of its own: Acme's do not count.
    expect((await globex.live.post('/v1/plans', proPlan)).body.error.param).toBe('prices[1].meter_code');
  });

  it("refuses a meter archived by the request before, from invoicing's own copy of the meters, naming each price", async () => {
    const meter = { code: 'exports', name: 'Exports', event_name: 'export', aggregation: 'count' };
    expect((await acme.live.post('/v1/meters', meter)).status).toBe(201);
    expect((await acme.live.post('/v1/meters/exports/archive')).status).toBe(200);
    const refused = await acme.live.post('/v1/plans', {
      ...proPlan,
      code: 'archived_meter',
      prices: [{ ...proPlan.prices[1], meter_code: 'exports' }, proPlan.prices[0], proPlan.prices[1]],
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ code: 'VALIDATION_ERROR', param: 'prices[0].meter_code' });
    expect(refused.body.error.details).toEqual([
      { param: 'prices[0].meter_code', message: "meter 'exports' is archived" },
    ]);
    const revised = await acme.live.patch('/v1/plans/pro', {
      prices: [proPlan.prices[0], { ...proPlan.prices[2], meter_code: 'nothing_here' }],
    });
    expect(revised.status).toBe(400);
    expect(revised.body.error.details).toEqual([
      { param: 'prices[1].meter_code', message: "no such meter: 'nothing_here'" },
    ]);
    // The test mode has meters of its own: the live ones do not count there.
    expect((await acme.test.post('/v1/plans', proPlan)).body.error.param).toBe('prices[1].meter_code');
  });

  it('refuses bad tiers and amounts with every problem', async () => {
    const refused = await acme.live.post('/v1/plans', {
      ...proPlan,
      code: 'bad_tiers',
      prices: [
        { ...proPlan.prices[0], amount_cents: -1 },
        {
          ...proPlan.prices[2],
          tiers: [
            { up_to: null, unit_amount: '0.01' },
            { up_to: 10, unit_amount: '1e3' },
          ],
        },
      ],
    });
    expect(refused.status).toBe(400);
    const params = refused.body.error.details.map((detail: { param: string }) => detail.param);
    expect(params).toEqual(
      expect.arrayContaining(['prices[0].amount_cents', 'prices[1].tiers[0].up_to', 'prices[1].tiers[1].unit_amount']),
    );
  });

  it('archives a plan: it stays readable and takes no more versions', async () => {
    const archived = await acme.live.post('/v1/plans/pro/archive');
    expect(archived.status).toBe(200);
    expect(archived.body.plan.status).toBe('archived');
    expect((await acme.live.patch('/v1/plans/pro', { name: 'x' })).body.error.code).toBe('INVALID_STATE');
    expect((await acme.live.get('/v1/plans?status=active')).body.plans).toEqual([]);
  });
});
