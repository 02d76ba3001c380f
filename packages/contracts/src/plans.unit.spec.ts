import { describe, expect, it } from 'vitest';
import { CreatePlanBody, Plan, PlanCommand, PlanEvent, Price, RevisePlanBody } from './plans';

const problems = (input: unknown) =>
  Price.safeParse(input).error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`) ?? [];

const perUnit = { model: 'per_unit', description: 'API calls', meter_code: 'api_calls' };
const graduated = (tiers: unknown) => ({ model: 'graduated', description: 'Tokens', meter_code: 'tokens', tiers });

describe('exact decimal amounts', () => {
  it('accept non-negative decimal strings up to 12 decimals, up to 10^12', () => {
    for (const unit_amount of ['0', '0.0025', '12', '123456789012.123456789012', '1000000000000', '1000000000000.000'])
      expect(problems({ ...perUnit, unit_amount })).toEqual([]);
  });

  it('refuse amounts past 10^12 minor units, compared exactly', () => {
    for (const unit_amount of ['1000000000000.000000000001', '1234567890123.123456789012', '9999999999999'])
      expect(problems({ ...perUnit, unit_amount })).toEqual(['unit_amount: must be at most 1000000000000']);
    expect(problems(graduated([{ up_to: null, unit_amount: '1', flat_amount: '1000000000001' }]))).toEqual([
      'tiers.0.flat_amount: must be at most 1000000000000',
    ]);
  });

  it('refuse numbers, signs, exponents, leading zeros and more than 12 decimals', () => {
    for (const unit_amount of [0.5, '-1', '1e-3', '.5', '5.', '01', '0.0000000000001', '12345678901234', ' 1'])
      expect(problems({ ...perUnit, unit_amount })).toHaveLength(1);
  });
});

describe('tiers', () => {
  it('accept ascending bounds ending in one unbounded tier', () => {
    const tiers = [
      { up_to: 100, unit_amount: '10' },
      { up_to: 1000, unit_amount: '5', flat_amount: '200' },
      { up_to: null, unit_amount: '1' },
    ];
    expect(problems(graduated(tiers))).toEqual([]);
    expect(problems(graduated([{ up_to: null, unit_amount: '1' }]))).toEqual([]);
  });

  it('need at least one tier', () => {
    expect(problems(graduated([]))).toHaveLength(1);
  });

  it('need the last tier, and only the last, to be unbounded', () => {
    expect(problems(graduated([{ up_to: 100, unit_amount: '1' }]))).toEqual([
      'tiers.0.up_to: the last tier must have up_to: null',
    ]);
    expect(
      problems(
        graduated([
          { up_to: null, unit_amount: '1' },
          { up_to: null, unit_amount: '2' },
        ]),
      ),
    ).toEqual(['tiers.0.up_to: only the last tier may have up_to: null']);
  });

  it('need strictly ascending bounds of whole positive units', () => {
    const tiers = [
      { up_to: 100, unit_amount: '1' },
      { up_to: 100, unit_amount: '2' },
      { up_to: 50, unit_amount: '3' },
      { up_to: null, unit_amount: '4' },
    ];
    expect(problems(graduated(tiers))).toEqual([
      'tiers.1.up_to: must be greater than the tier before',
      'tiers.2.up_to: must be greater than the tier before',
    ]);
    expect(
      problems(
        graduated([
          { up_to: 0, unit_amount: '1' },
          { up_to: null, unit_amount: '1' },
        ]),
      ),
    ).toHaveLength(1);
    expect(
      problems(
        graduated([
          { up_to: 1.5, unit_amount: '1' },
          { up_to: null, unit_amount: '1' },
        ]),
      ),
    ).toHaveLength(1);
  });

  it('validate volume tiers the same way', () => {
    expect(problems({ ...graduated([{ up_to: 10, unit_amount: '1' }]), model: 'volume' })).toEqual([
      'tiers.0.up_to: the last tier must have up_to: null',
    ]);
  });
});

describe('other price models', () => {
  it('accept a flat fee, free units and package sizes, and minimums on any price', () => {
    expect(problems({ model: 'flat', description: 'Platform', amount_cents: 4900, timing: 'in_advance' })).toEqual([]);
    expect(problems({ ...perUnit, unit_amount: '0.5', free_units: 1000, minimum_amount_cents: 500 })).toEqual([]);
    const emails = { model: 'package', description: 'Emails', meter_code: 'emails', package_amount: '250' };
    expect(problems({ ...emails, package_size: 1000 })).toEqual([]);
    expect(problems({ ...emails, package_size: 0 })).toHaveLength(1);
  });

  it('refuse unknown models, negative or fractional cents, and bad meter codes', () => {
    expect(problems({ ...perUnit, model: 'percentage', unit_amount: '1' })).toHaveLength(1);
    expect(problems({ model: 'flat', description: 'Fee', amount_cents: -1, timing: 'in_advance' })).toHaveLength(1);
    expect(problems({ model: 'flat', description: 'Fee', amount_cents: 1.5, timing: 'in_arrears' })).toHaveLength(1);
    expect(problems({ ...perUnit, unit_amount: '1', minimum_amount_cents: -1 })).toHaveLength(1);
    expect(
      problems({ model: 'flat', description: 'Fee', amount_cents: 9007199254740991, timing: 'in_advance' }),
    ).toEqual(['amount_cents: Too big: expected number to be <=1000000000000']);
    expect(problems({ ...perUnit, unit_amount: '1', minimum_amount_cents: 1e12 + 1 })).toHaveLength(1);
    expect(problems({ ...perUnit, unit_amount: '1', meter_code: 'API-calls' })).toHaveLength(1);
  });
});

describe('plans', () => {
  const flat = { model: 'flat', description: 'Platform fee', amount_cents: 4900, timing: 'in_advance' };
  const body = { code: 'pro', name: 'Pro', interval: 'month', prices: [flat] };

  it('default the currency to usd', () => {
    expect(CreatePlanBody.parse(body)).toEqual({ ...body, currency: 'usd' });
  });

  it('need 1 to 50 prices, a lower_snake code and a known interval, reporting every problem', () => {
    const result = CreatePlanBody.safeParse({ ...body, code: 'Pro', interval: 'day', prices: [], currency: 'USD' });
    expect(result.error?.issues.map((issue) => issue.path.join('.')).sort()).toEqual([
      'code',
      'currency',
      'interval',
      'prices',
    ]);
    expect(CreatePlanBody.safeParse({ ...body, prices: Array(51).fill(flat) }).success).toBe(false);
  });
});

describe('plans as stored', () => {
  // 10^13 minor units: past the 10^12 bound on a price, as a plan taken in before that bound may hold.
  const definition = {
    code: 'old',
    name: 'Old',
    currency: 'usd',
    interval: 'month',
    prices: [
      { id: 'cprice0000000000000000001', model: 'flat', description: 'Fee', amount_cents: 1e13, timing: 'in_advance' },
      {
        id: 'cprice0000000000000000002',
        model: 'package',
        description: 'Calls',
        meter_code: 'calls',
        package_size: 10,
        package_amount: '9999999999999',
      },
    ],
    minimum_amount_cents: 1e13,
  };
  const createdAt = '2025-06-01T00:00:00.000Z';

  it('read back past the input bounds, in events and in answers', () => {
    const stored = {
      type: 'PlanCreated',
      data: { plan_id: 'cplan00000000000000000001', definition, created_at: createdAt },
    };
    expect(PlanEvent.parse(stored)).toEqual(stored);
    const plan = {
      id: 'cplan00000000000000000001',
      version: 1,
      status: 'active',
      created_at: createdAt,
      updated_at: createdAt,
      ...definition,
    };
    expect(Plan.parse(plan)).toEqual(plan);
  });

  it('are refused the same amounts as input: in a body and in a command', () => {
    const paths = (result: { error?: { issues: { path: PropertyKey[] }[] } }) =>
      result.error?.issues.map((issue) => issue.path.join('.')).sort();
    const prices = definition.prices.map(({ id: _id, ...price }) => price);
    expect(paths(CreatePlanBody.safeParse({ ...definition, prices }))).toEqual([
      'minimum_amount_cents',
      'prices.0.amount_cents',
      'prices.1.package_amount',
    ]);
    const create = { type: 'CreatePlan', data: { plan_id: 'cplan00000000000000000001', definition } };
    expect(paths(PlanCommand.safeParse(create))).toEqual([
      'data.definition.minimum_amount_cents',
      'data.definition.prices.0.amount_cents',
      'data.definition.prices.1.package_amount',
    ]);
  });

  it('keep the format they were stored in: a malformed amount is still refused', () => {
    const malformed = { ...definition, prices: [{ ...definition.prices[1], package_amount: '12345678901234' }] };
    const stored = {
      type: 'PlanCreated',
      data: { plan_id: 'cplan00000000000000000001', definition: malformed, created_at: createdAt },
    };
    expect(PlanEvent.safeParse(stored).success).toBe(false);
  });
});

describe('prices in a pricing unit', () => {
  const gpu = { ...graduated([{ up_to: null, unit_amount: '2' }]), pricing_unit_code: 'gpu_sec' };
  const body = { code: 'gpu', name: 'GPU', interval: 'month' };
  const paths = (result: { error?: { issues: { path: PropertyKey[] }[] } }) =>
    result.error?.issues.map((issue) => issue.path.join('.'));

  it('name the unit by code on a usage price, never on a flat fee', () => {
    expect(problems(gpu)).toEqual([]);
    const flat = { model: 'flat', description: 'Fee', amount_cents: 100, timing: 'in_advance' };
    expect(problems({ ...flat, pricing_unit_code: 'gpu_sec' })).toHaveLength(1);
    expect(problems({ ...gpu, pricing_unit_code: 'GPU sec' })).toHaveLength(1);
  });

  it('take no minimum_amount_cents, in a body, a revision and a command', () => {
    const prices = [
      { ...perUnit, unit_amount: '1' },
      { ...gpu, minimum_amount_cents: 500 },
    ];
    expect(paths(CreatePlanBody.safeParse({ ...body, prices }))).toEqual(['prices.1.minimum_amount_cents']);
    expect(paths(RevisePlanBody.safeParse({ prices }))).toEqual(['prices.1.minimum_amount_cents']);
    const definition = {
      ...body,
      currency: 'usd',
      minimum_amount_cents: null,
      prices: prices.map((price, index) => ({ ...price, id: `cprice000000000000000000${index}` })),
    };
    const create = { type: 'CreatePlan', data: { plan_id: 'cplan00000000000000000001', definition } };
    expect(paths(PlanCommand.safeParse(create))).toEqual(['data.definition.prices.1.minimum_amount_cents']);
    // The plan's own minimum is in its currency, beside prices in a unit: allowed.
    expect(CreatePlanBody.safeParse({ ...body, prices: [gpu], minimum_amount_cents: 500 }).success).toBe(true);
  });

  it('are stored and answered with the conversion, not the code', () => {
    const { pricing_unit_code: _code, ...price } = gpu;
    const stored = {
      ...price,
      id: 'cprice0000000000000000001',
      pricing_unit: { code: 'gpu_sec', unit_amount: '0.25' },
    };
    const plan = {
      id: 'cplan00000000000000000001',
      version: 1,
      status: 'active',
      created_at: '2026-01-01T00:00:00.000Z',
      updated_at: '2026-01-01T00:00:00.000Z',
      ...body,
      currency: 'usd',
      minimum_amount_cents: null,
      prices: [stored],
    };
    expect(Plan.parse(plan)).toEqual(plan);
    expect(Plan.safeParse({ ...plan, prices: [{ ...stored, pricing_unit_code: 'gpu_sec' }] }).success).toBe(false);
  });
});
