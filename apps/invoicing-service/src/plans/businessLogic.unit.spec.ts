import type { EnrichedPlanDefinition, EnrichedPlanPrice, PlanEvent } from '@afternoon/contracts/plans';
import { ConflictError, IllegalStateError, NotFoundError } from '@afternoon/service-kit';
import { commandMetadata, deciderSpec } from '@afternoon/testkit/decider';
import { describe, expect, it } from 'vitest';
import { decide, type PlanCommand } from './businessLogic';
import { evolve, initialState, toPlan } from './plan';

const planId = 'cm5x9z8nv0000h85r7l9p2k1m';
const createdAt = '2026-01-15T10:30:00.000Z';
const later = '2026-02-01T00:00:00.000Z';

const definition: EnrichedPlanDefinition = {
  code: 'pro',
  name: 'Pro',
  currency: 'usd',
  interval: 'month',
  prices: [
    {
      id: 'pf8a0rz0t4wq3k2m1n9b7c6d5',
      model: 'flat',
      description: 'Platform fee',
      amount_cents: 4900,
      timing: 'in_advance',
    },
    {
      id: 'pu8a0rz0t4wq3k2m1n9b7c6d5',
      model: 'per_unit',
      description: 'API calls',
      meter_code: 'api_calls',
      unit_amount: '0.25',
      free_units: 1000,
    },
  ],
  minimum_amount_cents: null,
};

const { given } = deciderSpec({ decide, evolve, initialState });

const created: PlanEvent = { type: 'PlanCreated', data: { plan_id: planId, definition, created_at: createdAt } };
const create: PlanCommand = {
  type: 'CreatePlan',
  data: { plan_id: planId, definition },
  metadata: commandMetadata(createdAt),
};
const revise = (changes: Extract<PlanCommand, { type: 'RevisePlan' }>['data']['changes']): PlanCommand => ({
  type: 'RevisePlan',
  data: { code: 'pro', changes },
  metadata: commandMetadata(later),
});
const archive: PlanCommand = { type: 'ArchivePlan', data: { code: 'pro' }, metadata: commandMetadata(later) };

describe('plan decider', () => {
  it('creates version 1 of a plan whose code is free', () => {
    given([]).when(create).thenEmits([created]);
    given([created]).when(create).thenThrows(ConflictError);
  });

  it('revises into the next whole version, leaving what was not changed', () => {
    const [revised] = given([created])
      .when(revise({ name: 'Pro (2026)', minimum_amount_cents: 10_000 }))
      .events();
    expect(revised).toEqual({
      type: 'PlanRevised',
      data: {
        plan_id: planId,
        version: 2,
        definition: { ...definition, name: 'Pro (2026)', minimum_amount_cents: 10_000 },
        revised_at: later,
      },
    });
    const state = [created, revised as PlanEvent].reduce(evolve, initialState());
    if (state.status === 'absent') throw new Error('the plan should exist');
    expect(toPlan(state)).toMatchObject({ version: 2, name: 'Pro (2026)', created_at: createdAt, updated_at: later });
  });

  it('keeps a price in a pricing unit with the conversion enrich found, so the version reads on its own', () => {
    const gpu: EnrichedPlanPrice = {
      id: 'pg8a0rz0t4wq3k2m1n9b7c6d5',
      model: 'per_unit',
      description: 'GPU time',
      meter_code: 'gpu_seconds',
      unit_amount: '1.5',
      pricing_unit: { code: 'gpu_sec', unit_amount: '0.25' },
    };
    const prices = [...definition.prices, gpu];
    const [revised] = given([created]).when(revise({ prices })).events();
    expect(revised).toMatchObject({ type: 'PlanRevised', data: { version: 2, definition: { prices } } });
    const state = [created, revised as PlanEvent].reduce(evolve, initialState());
    if (state.status === 'absent') throw new Error('the plan should exist');
    expect(toPlan(state).prices[2]).toEqual(gpu);
  });

  it('makes no version for a revision that changes nothing', () => {
    given([created])
      .when(revise({ name: 'Pro', prices: definition.prices }))
      .thenEmits([]);
  });

  it('archives an active plan; an archived or unknown one takes no change', () => {
    const archived: PlanEvent = { type: 'PlanArchived', data: { plan_id: planId, archived_at: later } };
    given([created]).when(archive).thenEmits([archived]);
    given([created, archived])
      .when(revise({ name: 'x' }))
      .thenThrows(IllegalStateError);
    given([created, archived]).when(create).thenThrows(ConflictError);
    given([]).when(archive).thenThrows(NotFoundError);
  });
});
