import { compareDecimals, parseDecimal } from '@afternoon/billing-core/exactDecimal';
import type { LowBalanceThresholdSetting } from '@afternoon/contracts/billingSettings';
import type { BalanceEvent, Denomination } from '@afternoon/contracts/credits';

/** A customer's available balance per denomination (keyed by `denominationName`): exact decimal strings. */
export type Balances = Map<string, { denomination: Denomination; available: string }>;

/** The balances after one usage event was rated, and that event's timestamp. */
export interface BalanceStep {
  at: string;
  balances: Balances;
}

export const denominationName = (denomination: Denomination) => `${denomination.type}:${denomination.code}`;

/**
 * The balance crossings one record's rating caused, comparing each denomination's balance before the record with
 * after it: from at least its threshold to below it is `BalanceLow`; from above zero to zero is `BalanceDepleted`
 * (after the `BalanceLow` of the same denomination, when both). `at` is the timestamp of the event whose rating last
 * crossed it (the balance stayed on the far side after it). A balance already below stays quiet until something
 * takes it back to the threshold or above: only then does a fall announce again.
 */
export function balanceCrossings(
  customerId: string,
  thresholds: readonly LowBalanceThresholdSetting[],
  before: Balances,
  steps: readonly BalanceStep[],
): BalanceEvent[] {
  const names = new Set([...before.keys(), ...steps.flatMap((step) => [...step.balances.keys()])]);
  const events: BalanceEvent[] = [];
  for (const name of names) {
    const denomination = before.get(name)?.denomination ?? findDenomination(steps, name);
    const series = [before, ...steps.map((step) => step.balances)].map((balances) => balances.get(name)?.available);
    const amounts = series.map((available) => available ?? '0');
    const timestamps = steps.map((step) => step.at);
    const threshold = thresholds.find((candidate) => denominationName(candidate.denomination) === name)?.amount;
    if (threshold !== undefined) {
      const below = (amount: string) => isLess(amount, threshold);
      const at = crossedAt(amounts, timestamps, below);
      if (at !== null)
        events.push({
          type: 'BalanceLow',
          data: { customer_id: customerId, denomination, available: amounts.at(-1) ?? '0', threshold, at },
        });
    }
    const at = crossedAt(amounts, timestamps, (amount) => !isLess('0', amount));
    if (at !== null) events.push({ type: 'BalanceDepleted', data: { customer_id: customerId, denomination, at } });
  }
  return events;
}

/**
 * When the series (the balance before, then after each step) crossed into `inside` to stay: null unless it starts
 * outside and ends inside; else the timestamp of the step after which it was inside for good.
 */
function crossedAt(amounts: readonly string[], timestamps: readonly string[], inside: (amount: string) => boolean) {
  const first = amounts[0];
  const last = amounts.at(-1);
  if (first === undefined || last === undefined || inside(first) || !inside(last)) return null;
  let at: string | null = null;
  for (let step = 1; step < amounts.length; step++)
    if (!inside(amounts[step - 1] ?? '0') && inside(amounts[step] ?? '0')) at = timestamps[step - 1] ?? null;
  return at;
}

function isLess(a: string, b: string): boolean {
  return compareDecimals(parseDecimal(a), parseDecimal(b)) < 0;
}

function findDenomination(steps: readonly BalanceStep[], name: string): Denomination {
  for (const step of steps) {
    const found = step.balances.get(name);
    if (found) return found.denomination;
  }
  throw new Error(`no balance in ${name}`);
}
