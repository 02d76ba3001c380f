import type { BilledLine } from '@afternoon/contracts/invoices';
import type { EnrichedPlanDefinition, EnrichedPlanPrice } from '@afternoon/contracts/plans';
import type { BilledSpan } from './billingBoundaries';
import { chargeForPrice } from './chargeForPrice';
import {
  addDecimals,
  compareDecimals,
  type ExactDecimal,
  formatDecimal,
  minDecimal,
  parseDecimal,
  subtractDecimals,
  zero,
} from './exactDecimal';
import { type InvoiceSection, largestGroups } from './largestGroups';
import { boundedInvoiceTotal, sumMinorUnits } from './moneyBounds';
import { type CurrencyCredits, creditAppliedLine } from './periodLinesCredits';
import { type BilledUsage, pricingUnitLateLine, pricingUnitLine } from './pricingUnitCharge';
import { prorateFlatFee } from './prorate';
import { ratedCharge } from './usageRating';

type GroupKey = Record<string, string | number | boolean | null>;

/** A meter's usage over a span: its total, and per group when the meter groups (`value: null` counts as 0). */
export interface MeterPeriodUsage {
  total: string | null;
  groups?: { key: GroupKey; value: string | null }[];
}

export interface PeriodLinesInput {
  plan: Pick<EnrichedPlanDefinition, 'prices' | 'minimum_amount_cents'>;
  /** The span whose usage and in-arrears fees are billed; null when none ended (a subscription's start). */
  ended: BilledSpan | null;
  /** The span in-advance fees are billed for; null when none follows (the subscription ends). */
  starting: BilledSpan | null;
  /** Usage of the ended span, keyed by meter code; a usage price whose meter is missing bills zero usage. */
  usageByMeter: Record<string, MeterPeriodUsage>;
  /** Usage of earlier spans received too late for their own invoices, billed now on top of the ended span's. */
  lateUsageByMeter?: Record<string, MeterPeriodUsage>;
  /** In-advance fees paid for `paid` when the subscription stopped at `used.end`: the unused part is credited. */
  refund?: { paid: BilledSpan; used: BilledSpan };
  /**
   * Units of a pricing unit that credits covered and no earlier invoice showed as covered, by price id and then by
   * group (`coverageKey`): taken off the price's usage line, then its late usage line, never below zero.
   */
  coveredUnits?: Record<string, Record<string, string>>;
  /** Currency credits rated usage drew and no earlier invoice applied, per grant, in the order they are applied. */
  currencyCredits?: CurrencyCredits;
}

export interface PeriodLines {
  lines: BilledLine[];
  subtotal_cents: number;
}

type PlanPrice = EnrichedPlanPrice;
type UsagePrice = Exclude<PlanPrice, { model: 'flat' }>;
type Refund = NonNullable<PeriodLinesInput['refund']>;

/**
 * The lines of a plan at one boundary, in the plan's price order: flat in-arrears fees for the ended span, flat
 * in-advance fees for the starting one (both prorated by the second when the span is a slice of a period), one line
 * per usage price (one per group when its meter groups, largest first, the smallest summed past a bound) and one more
 * for late usage, credits for unused in-advance fees, then the plan's minimum as a "Minimum commitment" line topping
 * the subtotal up when it falls short.
 */
export function periodLines(input: PeriodLinesInput): PeriodLines {
  const { plan, ended, starting } = input;
  const sections: InvoiceSection[] = [];
  for (const price of plan.prices) {
    if (price.model !== 'flat') {
      if (ended) sections.push(...usageLines(prorated(price, ended), ended, input));
      continue;
    }
    const span = price.timing === 'in_arrears' ? ended : starting;
    if (span) sections.push(feeLine(price, span));
    if (price.timing === 'in_advance' && input.refund) sections.push(refundLine(price, input.refund));
  }
  const billed = sections.flatMap(linesOf);
  // Credits give back what was paid before; they do not count against the minimum.
  const charged = sumCents(billed.filter((line) => line.kind !== 'credit'));
  const minimum = BigInt(ended ? proratedCents(plan.minimum_amount_cents ?? 0, ended) : 0);
  // The starting span's in-advance fees count towards the ended span's minimum: under one plan version they are
  // the same amounts as the in-advance fees the ended span was billed at its own start.
  if (ended && charged < minimum)
    sections.push(line('minimum', null, 'Minimum commitment', '1', Number(minimum - charged), ended));
  // Summing groups keeps the total, so credits are applied to it first: their line takes its room among the lines.
  const credits = input.currencyCredits ?? { grants: [], unattributedCents: 0 };
  const credited = creditAppliedLine(credits, sections.flatMap(linesOf), ended ?? starting);
  if (credited) sections.push(credited);
  const lines = largestGroups(sections);
  return { lines, subtotal_cents: boundedInvoiceTotal(lines.map(({ amount_cents }) => amount_cents)) };
}

function linesOf(section: InvoiceSection): BilledLine[] {
  return 'groups' in section ? section.groups : [section];
}

function feeLine(price: Extract<PlanPrice, { model: 'flat' }>, span: BilledSpan): BilledLine {
  const whole = isWhole(span);
  const description = whole ? price.description : `${price.description} (prorated)`;
  return line('fee', price.id, description, '1', proratedCents(price.amount_cents, span), span);
}

/** What was paid in advance for `paid` minus what the time used of it earns: a negative line. */
function refundLine(price: Extract<PlanPrice, { model: 'flat' }>, { paid, used }: Refund): BilledLine {
  const usedOfPaid = { start: paid.start, end: used.end, whole: paid.whole };
  const credit = proratedCents(price.amount_cents, usedOfPaid) - proratedCents(price.amount_cents, paid);
  return line('credit', price.id, `Unused ${price.description}`, '1', credit, { ...paid, start: used.end });
}

/**
 * A grouped meter prices each group on its own (tiers and free units apply per group, as Lago's grouped charges
 * do); the price's own minimum applies to the price as a whole, as one top-up line, not once per group. Late usage
 * is priced at the margin: what the span's usage and the late usage cost together, minus what the span's alone does.
 */
function usageLines(price: UsagePrice, span: BilledSpan, input: PeriodLinesInput): InvoiceSection[] {
  const usage = input.usageByMeter[price.meter_code];
  const late = input.lateUsageByMeter?.[price.meter_code];
  const meter = { meter_code: price.meter_code };
  const credits = new CoveredUnits(input.coveredUnits?.[price.id]);
  if (!usage?.groups?.length && !late?.groups?.length) {
    const quantity = usage?.total ?? '0';
    const pool = credits.of(null);
    const lines = [usageLine('usage', price, price.description, quantity, billed(price, quantity, pool), span)];
    const lateQuantity = late?.total ?? '0';
    if (isPositive(lateQuantity)) {
      const description = `${price.description} (late usage)`;
      const amount = billedLate(price, quantity, lateQuantity, pool);
      lines.push(usageLine('late_usage', price, description, lateQuantity, amount, span));
    }
    return lines;
  }
  const withoutMinimum = { ...price, minimum_amount_cents: undefined };
  const onTimeLines: BilledLine[] = [];
  for (const { key, value } of usage?.groups ?? []) {
    const quantity = value ?? '0';
    const description = `${price.description} (${describeKey(key)})`;
    const amount = billed(withoutMinimum, quantity, credits.of(key));
    onTimeLines.push({ ...usageLine('usage', price, description, quantity, amount, span), group: key });
  }
  const onTimeByKey = new Map((usage?.groups ?? []).map((group) => [canonicalKey(group.key), group.value]));
  const lateLines: BilledLine[] = [];
  for (const { key, value } of late?.groups ?? []) {
    const lateQuantity = value ?? '0';
    if (!isPositive(lateQuantity)) continue;
    const onTime = onTimeByKey.get(canonicalKey(key)) ?? '0';
    const amount = billedLate(withoutMinimum, onTime, lateQuantity, credits.of(key));
    const description = `${price.description} (${describeKey(key)}, late usage)`;
    lateLines.push({ ...usageLine('late_usage', price, description, lateQuantity, amount, span), group: key });
  }
  const others = (kind: 'usage' | 'late_usage') => (count: number) => {
    const description = `${price.description} (${otherGroups(count)}${kind === 'usage' ? '' : ', late usage'})`;
    const { quantity: _quantity, amount_cents: _amount, ...summary } = line(kind, price.id, description, '0', 0, span);
    return { ...summary, ...meter, summed_groups: count };
  };
  const sections: InvoiceSection[] = [
    { groups: onTimeLines, others: others('usage') },
    { groups: lateLines, others: others('late_usage') },
  ];
  const shortfall = BigInt(price.minimum_amount_cents ?? 0) - sumCents([...onTimeLines, ...lateLines]);
  if (shortfall > 0n)
    sections.push(line('minimum', price.id, `${price.description} (minimum)`, '1', Number(shortfall), span));
  return sections;
}

function otherGroups(count: number): string {
  return count === 1 ? '1 other group' : `${count} other groups`;
}

/**
 * What a usage price bills for `quantity`: its charge in the plan's currency, or for a price in a pricing unit, the
 * units its model charges (exact, no minimum: one is not allowed with a pricing unit), less those credits in the unit
 * covered (taken from `pool`), converted once at the plan version's rate.
 */
function billed(price: UsagePrice, quantity: string, pool: CoveredPool): BilledUsage {
  if (!price.pricing_unit) return { amount_cents: chargeForPrice(price, quantity).amountCents };
  const units = ratedCharge(price, parseDecimal(quantity));
  pool.onTime = pool.take(units);
  return pricingUnitLine(price.pricing_unit, units, price.description, pool.onTime);
}

/**
 * Late usage priced at the margin: what the span's usage and the late usage bill together, minus the span's alone.
 * In a pricing unit, credits left in `pool` after the span's line cover the late units too.
 */
function billedLate(price: UsagePrice, onTime: string, late: string, pool: CoveredPool): BilledUsage {
  if (!price.pricing_unit) {
    const together = chargeForPrice(price, sum(onTime, late)).amountCents;
    return { amount_cents: together - chargeForPrice(price, onTime).amountCents };
  }
  const alone = ratedCharge(price, parseDecimal(onTime));
  const together = ratedCharge(price, parseDecimal(sum(onTime, late)));
  const covered = { onTime: pool.onTime, late: pool.take(subtractDecimals(together, alone)) };
  return pricingUnitLateLine(price.pricing_unit, { together, alone }, covered, price.description);
}

/** What credits cover of one price and group: used by its usage line first (`onTime`), then by its late line. */
interface CoveredPool {
  onTime: ExactDecimal;
  /** Takes up to `units` (none when they are not positive) from what is left. */
  take(units: ExactDecimal): ExactDecimal;
}

/** The units credits covered of one price, per group. */
class CoveredUnits {
  private readonly pools = new Map<string, CoveredPool>();
  constructor(private readonly byGroup: Record<string, string> | undefined) {}

  of(group: GroupKey | null): CoveredPool {
    const key = coverageKey(group);
    const existing = this.pools.get(key);
    if (existing) return existing;
    let left = parseDecimal(this.byGroup?.[key] ?? '0');
    const pool: CoveredPool = {
      onTime: zero,
      take(units) {
        if (compareDecimals(units, zero) <= 0 || compareDecimals(left, zero) <= 0) return zero;
        const taken = minDecimal(units, left);
        left = subtractDecimals(left, taken);
        return taken;
      },
    };
    this.pools.set(key, pool);
    return pool;
  }
}

/** How `coveredUnits` names a group: '' for a price on a meter without group_by. */
export function coverageKey(group: GroupKey | null): string {
  return group === null ? '' : canonicalKey(group);
}

function usageLine(
  kind: 'usage' | 'late_usage',
  price: UsagePrice,
  description: string,
  quantity: string,
  usage: BilledUsage,
  span: BilledSpan,
): BilledLine {
  return { ...line(kind, price.id, description, quantity, 0, span), ...usage, meter_code: price.meter_code };
}

/** A usage price whose minimum is prorated to the span, as flat fees are. */
function prorated(price: UsagePrice, span: BilledSpan): UsagePrice {
  if (price.minimum_amount_cents === undefined || isWhole(span)) return price;
  return { ...price, minimum_amount_cents: proratedCents(price.minimum_amount_cents, span) };
}

function proratedCents(cents: number, span: BilledSpan): number {
  return isWhole(span) ? cents : prorateFlatFee(cents, span, span.whole);
}

function isWhole(span: BilledSpan): boolean {
  return span.start.getTime() === span.whole.start.getTime() && span.end.getTime() === span.whole.end.getTime();
}

function line(
  kind: BilledLine['kind'],
  priceId: string | null,
  description: string,
  quantity: string,
  amountCents: number,
  span: { start: Date; end: Date },
): BilledLine {
  return {
    kind,
    price_id: priceId,
    description,
    quantity,
    amount_cents: amountCents,
    period_start: span.start.toISOString(),
    period_end: span.end.toISOString(),
  };
}

function sum(a: string, b: string): string {
  return formatDecimal(addDecimals(parseDecimal(a), parseDecimal(b)));
}

function isPositive(quantity: string): boolean {
  return /[1-9]/.test(quantity) && !quantity.startsWith('-');
}

/** The same text for the same group whatever order its properties come in. */
function canonicalKey(key: GroupKey): string {
  return JSON.stringify(Object.entries(key).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** `model: gpt-4, region: eu`; an event without the property is grouped under `none`. */
function describeKey(key: GroupKey): string {
  return Object.entries(key)
    .map(([property, value]) => `${property}: ${value === null ? 'none' : String(value)}`)
    .join(', ');
}

function sumCents(lines: { amount_cents: number }[]): bigint {
  return sumMinorUnits(lines.map(({ amount_cents }) => amount_cents));
}
