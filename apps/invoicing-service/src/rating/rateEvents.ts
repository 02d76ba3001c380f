import { billedSpanStart } from '@afternoon/billing-core/billedSpan';
import type { CreditMovement } from '@afternoon/billing-core/creditBurnDown';
import { parseDecimal } from '@afternoon/billing-core/exactDecimal';
import { marginalCost } from '@afternoon/billing-core/usageRating';
import type { CreditDebit, Denomination, RatedCharge, RatedUsage } from '@afternoon/contracts/credits';
import type { MeteredEvent } from '@afternoon/contracts/meteredUsage';
import type { Plan } from '@afternoon/contracts/plans';
import type { SubscriptionRecord } from '../subscriptions/subscription';
import { negateDecimal as negate, sumDecimals as sum } from './amounts';
import type { CreditBook } from './creditBook';
import { groupKeyOf } from './ratingPeriod';

/** A subscription of the customer with the plan version it is on. */
export interface RatedSubscription {
  record: SubscriptionRecord;
  plan: Plan;
}

/** What rating prices under: a subscription's usage price in one of its periods, for one group of its meter. */
export type RatingKey = Pick<RatedCharge, 'subscription_id' | 'price_id' | 'period_start' | 'group_key'>;

/** A rating key's running total in its period: the quantity rated so far and what credits did not cover. */
export interface ChargeTotal {
  quantity: string;
  owed: string;
}

/** The running totals and draws rating reads and moves on, held locked for the transaction. */
export interface RatingTotals {
  /** The key's running total, to update in place. */
  totalOf(key: RatingKey): Promise<ChargeTotal>;
  /** What the key drew, oldest first, each draw net of later returns. */
  drawsOf(key: RatingKey): Promise<CreditMovement[]>;
  /** Remembers this transaction's own debits of the key, not yet in the ledger. */
  noteDebits(key: RatingKey, debits: readonly CreditMovement[]): void;
}

/** Only additive aggregations have a quantity an event adds to its period's total. */
const ratedAggregations = new Set(['count', 'sum']);

/**
 * Each event at its marginal cost under every usage price of the customer's subscriptions that runs at its
 * timestamp, in the order given; costs draw the customer's grants in their denomination (or give back to them).
 */
export async function rateEvents(
  customerId: string,
  events: readonly MeteredEvent[],
  subscriptions: readonly RatedSubscription[],
  totals: RatingTotals,
  book: CreditBook,
): Promise<RatedUsage[]> {
  const rated: RatedUsage[] = [];
  for (const event of events) {
    const rating = { charges: [] as RatedCharge[], debits: [] as CreditDebit[], owed: new Owed() };
    for (const { key, plan, price, meterCode, quantity } of pricesOf(event, subscriptions)) {
      const denomination = denominationOf(plan, price);
      const total = await totals.totalOf(key);
      const cost = marginalCost(price, total.quantity, quantity, denomination.type);
      total.quantity = sum(total.quantity, quantity);
      rating.charges.push({ ...key, meter_code: meterCode, quantity, denomination, cost });
      const settled = await settle({ customerId, key, denomination, cost, at: event.timestamp }, total, totals, book);
      rating.debits.push(...settled.debits);
      rating.owed.add(denomination, settled.owed);
    }
    rated.push({ usage_id: event.usage_id, timestamp: event.timestamp, ...rating, owed: rating.owed.entries() });
  }
  return rated;
}

/**
 * The usage prices an event is rated under, each with its rating key: every usage price of each subscription running
 * at the event's timestamp whose meter adds the event to its period's total.
 */
function* pricesOf(event: MeteredEvent, subscriptions: readonly RatedSubscription[]) {
  for (const { record, plan } of subscriptions) {
    const periodStart = billedSpanStart(record, new Date(event.timestamp));
    if (periodStart === null) continue;
    for (const price of plan.prices) {
      if (price.model === 'flat') continue;
      const metered = event.meters.find(
        (meter) => meter.meter_code === price.meter_code && ratedAggregations.has(meter.aggregation),
      );
      if (!metered || metered.quantity === null) continue;
      const key: RatingKey = {
        subscription_id: record.id,
        price_id: price.id,
        period_start: periodStart.toISOString(),
        group_key: groupKeyOf(metered.group),
      };
      yield { key, plan, price, meterCode: metered.meter_code, quantity: metered.quantity };
    }
  }
}

/** A price in a pricing unit is rated in that unit (exact); any other in the plan's currency (whole minor units). */
function denominationOf(plan: Plan, price: Plan['prices'][number]): Denomination {
  if ('pricing_unit' in price && price.pricing_unit) return { type: 'pricing_unit', code: price.pricing_unit.code };
  return { type: 'currency', code: plan.currency };
}

interface Cost {
  customerId: string;
  key: RatingKey;
  denomination: Denomination;
  cost: string;
  at: string;
}

/** A cost drawn from credits (or, negative, given back), and what of it is owed; the key's total owes it too. */
async function settle(charge: Cost, total: ChargeTotal, totals: RatingTotals, book: CreditBook) {
  const { customerId, key, denomination, cost, at } = charge;
  const sign = parseDecimal(cost).units;
  if (sign === 0n) return { debits: [], owed: '0' };
  let movements: CreditMovement[];
  let owed: string;
  if (sign > 0n) {
    const drawn = book.draw(customerId, denomination, cost, at);
    movements = drawn.draws;
    owed = drawn.owed;
  } else {
    const refund = cost.slice(1);
    const given = book.giveBack(refund, total.owed, await totals.drawsOf(key), at);
    movements = given.returns.map((returned) => ({ grantId: returned.grantId, amount: `-${returned.amount}` }));
    owed = negate(sum(given.owedReduction, given.unreturned));
  }
  totals.noteDebits(key, movements);
  total.owed = sum(total.owed, owed);
  const debits = movements.map((movement) => ({
    ...key,
    grant_id: movement.grantId,
    denomination,
    amount: movement.amount,
  }));
  return { debits, owed };
}

/** What an event owes per denomination (nothing listed where it owes nothing). */
class Owed {
  private readonly byDenomination = new Map<string, { denomination: Denomination; amount: string }>();

  add(denomination: Denomination, amount: string): void {
    const name = `${denomination.type}:${denomination.code}`;
    const before = this.byDenomination.get(name)?.amount ?? '0';
    this.byDenomination.set(name, { denomination, amount: sum(before, amount) });
  }

  entries() {
    return [...this.byDenomination.values()].filter((entry) => parseDecimal(entry.amount).units !== 0n);
  }
}
