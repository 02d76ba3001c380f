import type { PricingUnitEvent } from '@afternoon/contracts/pricingUnits';
import { ConflictError } from '@afternoon/service-kit';
import { commandMetadata, deciderSpec } from '@afternoon/testkit/decider';
import { describe, expect, it } from 'vitest';
import { decide, type PricingUnitCommand } from './businessLogic';
import { evolve, initialState, toPricingUnit } from './pricingUnit';

const createdAt = '2026-01-15T10:30:00.000Z';
const unitId = 'cm5x9z8nv0000h85r7l9p2k1m';
const conversion = { currency: 'usd', unit_amount: '0.25' };

const { given } = deciderSpec({ decide, evolve, initialState });

const create: PricingUnitCommand = {
  type: 'CreatePricingUnit',
  data: { pricing_unit_id: unitId, code: 'gpu_sec', name: 'GPU second', currency_conversion: conversion },
  metadata: commandMetadata(createdAt),
};
const created: PricingUnitEvent = {
  type: 'PricingUnitCreated',
  data: {
    pricing_unit_id: unitId,
    code: 'gpu_sec',
    name: 'GPU second',
    currency_conversion: conversion,
    created_at: createdAt,
  },
};

describe('pricing unit decider', () => {
  it('creates a pricing unit whose code is free, at the command time', () => {
    given([]).when(create).thenEmits([created]);
    const state = evolve(initialState(), created);
    if (state.status === 'absent') throw new Error('the pricing unit should exist');
    expect(toPricingUnit(state)).toEqual({
      id: unitId,
      code: 'gpu_sec',
      name: 'GPU second',
      currency_conversion: conversion,
      created_at: createdAt,
    });
  });

  it('refuses a second pricing unit with the same code, naming the code', () => {
    given([created])
      .when({ ...create, data: { ...create.data, pricing_unit_id: 'cm5x9z8nv0000h85r7l9p2k2m', name: 'Other' } })
      .thenThrows(ConflictError, expect.objectContaining({ param: 'code' }));
  });
});
