import type { Denomination } from '@afternoon/contracts/credits';
import { describe, expect, it } from 'vitest';
import { type BalanceStep, type Balances, balanceCrossings, denominationName } from './balanceThresholds';

const customer = 'cm5x9z8nv0000h85r7l9p2k1m';
const usd: Denomination = { type: 'currency', code: 'usd' };
const gpu: Denomination = { type: 'pricing_unit', code: 'gpu_sec' };
const day = (n: number) => `2026-01-0${n}T00:00:00.000Z`;

function balances(...entries: [Denomination, string][]): Balances {
  return new Map(
    entries.map(([denomination, available]) => [denominationName(denomination), { denomination, available }]),
  );
}
/** The usd balance after each event, the events on 1, 2, 3 … January. */
const usdSteps = (...amounts: string[]): BalanceStep[] =>
  amounts.map((amount, index) => ({ at: day(index + 1), balances: balances([usd, amount]) }));
const usdAt950 = [{ denomination: usd, amount: '950' }];
const low = (available: string, threshold: string, at: string, denomination = usd) => ({
  type: 'BalanceLow',
  data: { customer_id: customer, denomination, available, threshold, at },
});
const depleted = (at: string, denomination = usd) => ({
  type: 'BalanceDepleted',
  data: { customer_id: customer, denomination, at },
});

describe('balance crossings', () => {
  it('announces low once when a balance falls from the threshold or above to below it', () => {
    // 1000 ≥ 950, then 900 < 950: low, at the event that took it there.
    expect(balanceCrossings(customer, usdAt950, balances([usd, '1000']), usdSteps('900'))).toEqual([
      low('900', '950', day(1)),
    ]);
    // Exactly at the threshold is not below it: 1000 → 950 says nothing; 950 → 949 is the crossing.
    expect(balanceCrossings(customer, usdAt950, balances([usd, '1000']), usdSteps('950'))).toEqual([]);
    expect(balanceCrossings(customer, usdAt950, balances([usd, '950']), usdSteps('949'))).toEqual([
      low('949', '950', day(1)),
    ]);
  });

  it('announces nothing while a balance already below falls further', () => {
    // 900 → 800: both below 950, both above 0.
    expect(balanceCrossings(customer, usdAt950, balances([usd, '900']), usdSteps('800'))).toEqual([]);
  });

  it('announces depleted when a balance reaches zero, and low too when that also crosses the threshold', () => {
    // 800 → 0 with 950: already low, so only depleted.
    expect(balanceCrossings(customer, usdAt950, balances([usd, '800']), usdSteps('0'))).toEqual([depleted(day(1))]);
    // 800 → 0 with 500: crosses both, low first.
    const at500 = [{ denomination: usd, amount: '500' }];
    expect(balanceCrossings(customer, at500, balances([usd, '800']), usdSteps('0'))).toEqual([
      low('0', '500', day(1)),
      depleted(day(1)),
    ]);
    // Without any threshold, depletion is still announced; a balance already at zero says nothing more.
    expect(balanceCrossings(customer, [], balances([usd, '800']), usdSteps('0'))).toEqual([depleted(day(1))]);
    expect(balanceCrossings(customer, [], balances([usd, '0']), usdSteps('0'))).toEqual([]);
  });

  it('dates each crossing by the event after which the balance stayed across', () => {
    // 1000 → 960 (day 1) → 900 (day 2, below 950) → 600 (day 3) → 0 (day 4).
    expect(balanceCrossings(customer, usdAt950, balances([usd, '1000']), usdSteps('960', '900', '600', '0'))).toEqual([
      low('0', '950', day(2)),
      depleted(day(4)),
    ]);
    // 1000 → 900 (day 1, below) → 990 (day 2, a volume price's return, above again) → 940 (day 3, below for good).
    expect(balanceCrossings(customer, usdAt950, balances([usd, '1000']), usdSteps('900', '990', '940'))).toEqual([
      low('940', '950', day(3)),
    ]);
    // Below, then back above by the record's end: nothing to announce.
    expect(balanceCrossings(customer, usdAt950, balances([usd, '1000']), usdSteps('900', '990'))).toEqual([]);
  });

  it('re-arms once a return takes the balance back to the threshold or above', () => {
    // Record 1: 1000 → 900, low. Record 2: a return, 900 → 960, nothing. Record 3: 960 → 940, low again.
    const records: [string, string][] = [
      ['1000', '900'],
      ['900', '960'],
      ['960', '940'],
    ];
    const announced = records.map(([before, after]) =>
      balanceCrossings(customer, usdAt950, balances([usd, before]), usdSteps(after)),
    );
    expect(announced).toEqual([[low('900', '950', day(1))], [], [low('940', '950', day(1))]]);
  });

  it('compares each denomination with its own threshold, exactly', () => {
    // gpu_sec at 2.5: 2.5 → 2.4999 crosses; usd at 950: 1000 → 951 does not.
    const thresholds = [
      { denomination: usd, amount: '950' },
      { denomination: gpu, amount: '2.5' },
    ];
    const steps: BalanceStep[] = [{ at: day(1), balances: balances([usd, '951'], [gpu, '2.4999']) }];
    expect(balanceCrossings(customer, thresholds, balances([usd, '1000'], [gpu, '2.5']), steps)).toEqual([
      low('2.4999', '2.5', day(1), gpu),
    ]);
  });
});
