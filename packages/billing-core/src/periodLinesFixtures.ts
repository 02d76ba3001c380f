import type { EnrichedPlanPrice } from '@afternoon/contracts/plans';

/* The plan prices and the period the period-lines specs of pricing units and of credits bill. */

/** The ids of the specs' prices, one per price. */
export const ids = {
  gpu: 'cm5x9z8nv0000h85r7l9p2k2a',
  tokens: 'cm5x9z8nv0000h85r7l9p2k2b',
  storage: 'cm5x9z8nv0000h85r7l9p2k2c',
  calls: 'cm5x9z8nv0000h85r7l9p2k2d',
  fee: 'cm5x9z8nv0000h85r7l9p2k2e',
};

/** A quarter of a cent per GPU second. */
export const gpuSec = { code: 'gpu_sec', unit_amount: '0.25' };

/** Graduated in gpu_sec: 2 gpu_sec per unit up to 1000 units, then 1.5 gpu_sec per unit and 100 gpu_sec on entering. */
export const gpuPrice: EnrichedPlanPrice = {
  id: ids.gpu,
  model: 'graduated',
  description: 'GPU time',
  meter_code: 'gpu_seconds',
  pricing_unit: gpuSec,
  tiers: [
    { up_to: 1000, unit_amount: '2' },
    { up_to: null, unit_amount: '1.5', flat_amount: '100' },
  ],
};

/** 0.5¢ per call, in the plan's currency: no pricing unit. */
export const callsPrice: EnrichedPlanPrice = {
  id: ids.calls,
  model: 'per_unit',
  description: 'API calls',
  meter_code: 'api_calls',
  unit_amount: '0.5',
};

/** January 2027, billed whole. */
export const january = (() => {
  const period = { start: new Date('2027-01-01T00:00:00Z'), end: new Date('2027-02-01T00:00:00Z') };
  return { ...period, whole: period };
})();

/** A plan version of these prices with no minimum. */
export const plan = (prices: EnrichedPlanPrice[]) => ({ prices, minimum_amount_cents: null });
