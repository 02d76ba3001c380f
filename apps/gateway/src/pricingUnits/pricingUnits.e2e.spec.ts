import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster, type TestOrganization } from '../../test/testCluster';

const gpuSec = { code: 'gpu_sec', name: 'GPU second', currency_conversion: { currency: 'usd', unit_amount: '0.25' } };

describe('pricing units through the gateway', () => {
  let cluster: TestCluster;
  let acme: TestOrganization;
  let globex: TestOrganization;

  beforeAll(async () => {
    cluster = await startTestCluster();
    acme = await cluster.createOrganization('Acme Inc.');
    globex = await cluster.createOrganization('Globex');
  });
  afterAll(() => cluster?.stop());

  it('creates a pricing unit, reads it back by code and in the list, and refuses its code a second time', async () => {
    const created = await acme.live.post('/v1/pricing_units', gpuSec);
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      success: true,
      pricing_unit: {
        id: expect.stringMatching(/^[a-z][a-z0-9]{24}$/),
        code: 'gpu_sec',
        name: 'GPU second',
        currency_conversion: { currency: 'usd', unit_amount: '0.25' },
        created_at: expect.any(String),
      },
      request_id: expect.any(String),
    });
    const unit = created.body.pricing_unit;
    expect((await acme.live.get('/v1/pricing_units/gpu_sec')).body).toMatchObject({
      success: true,
      pricing_unit: unit,
    });
    expect((await acme.live.get('/v1/pricing_units')).body.pricing_units).toEqual([unit]);

    const again = await acme.live.post('/v1/pricing_units', { code: 'gpu_sec', name: 'Another' });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'CONFLICT', param: 'code' });
    expect((await acme.live.get('/v1/pricing_units/gpu_sec')).body.pricing_unit).toEqual(unit);
  });

  it("keeps each organization's and mode's pricing units apart", async () => {
    expect((await globex.live.get('/v1/pricing_units/gpu_sec')).status).toBe(404);
    expect((await acme.test.get('/v1/pricing_units/gpu_sec')).status).toBe(404);
    // The same code is free in another organization and in the other mode.
    expect((await globex.live.post('/v1/pricing_units', gpuSec)).status).toBe(201);
    expect((await acme.test.post('/v1/pricing_units', { code: 'gpu_sec', name: 'Test GPU' })).body).toMatchObject({
      pricing_unit: { code: 'gpu_sec', currency_conversion: null },
    });
    expect((await globex.live.get('/v1/pricing_units')).body.pricing_units).toHaveLength(1);
  });

  it('answers 404 naming the code for an unknown or impossible code', async () => {
    for (const code of ['token', 'Not-A-Code']) {
      const missing = await acme.live.get(`/v1/pricing_units/${code}`);
      expect(missing.status).toBe(404);
      expect(missing.body.error).toMatchObject({ code: 'NOT_FOUND', param: 'code' });
    }
  });

  it('refuses bad bodies with 400 naming each bad field', async () => {
    const cases: [unknown, string][] = [
      [{ name: 'No code' }, 'code'],
      [{ code: 'GPU Sec', name: 'Bad code' }, 'code'],
      [{ code: 'tokens' }, 'name'],
      [{ code: 'tokens', name: '   ' }, 'name'],
      [
        { code: 'tokens', name: 'Tokens', currency_conversion: { currency: 'usd', unit_amount: '-1' } },
        'currency_conversion.unit_amount',
      ],
      [
        { code: 'tokens', name: 'Tokens', currency_conversion: { currency: 'USD', unit_amount: '1' } },
        'currency_conversion.currency',
      ],
      [{ code: 'tokens', name: 'Tokens', colour: 'blue' }, 'colour'],
    ];
    for (const [body, param] of cases) {
      const refused = await acme.live.post('/v1/pricing_units', body);
      expect({ body, status: refused.status, param: refused.body.error?.param }).toEqual({ body, status: 400, param });
      expect(refused.body.error.code).toBe('VALIDATION_ERROR');
    }
    expect((await acme.live.get('/v1/pricing_units/tokens')).status).toBe(404);
  });

  it('lists newest first, a page at a time', async () => {
    for (const code of ['unit_a', 'unit_b', 'unit_c'])
      expect((await globex.test.post('/v1/pricing_units', { code, name: code })).status).toBe(201);
    const first = await globex.test.get('/v1/pricing_units?limit=2');
    expect(first.body.pricing_units.map((unit: { code: string }) => unit.code)).toEqual(['unit_c', 'unit_b']);
    expect(first.body.pagination.has_more).toBe(true);
    const next = await globex.test.get(`/v1/pricing_units?limit=2&cursor=${first.body.pagination.next_cursor}`);
    expect(next.body.pricing_units.map((unit: { code: string }) => unit.code)).toEqual(['unit_a']);
    expect(next.body.pagination).toEqual({ has_more: false, next_cursor: null });
    expect((await globex.test.get('/v1/pricing_units?limit=0')).body.error).toMatchObject({ param: 'limit' });
  });
});
