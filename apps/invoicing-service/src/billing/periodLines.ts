import type { PlanDefinition, PlanPrice } from '@afternoon/contracts/plans';
import { chargeForPrice } from '../pricing/chargeForPrice';
import type { BillingPeriod } from '../subscriptions/billingPeriods';
import type { InvoicePreviewLine } from './upcomingInvoiceSchema';

type GroupKey = Record<string, string | number | boolean | null>;

/** A meter's usage over the period: its total, and per group when the meter groups (`value: null` counts as 0). */
export interface MeterPeriodUsage {
  total: string | null;
  groups?: { key: GroupKey; value: string | null }[];
}

export interface PeriodLinesInput {
  plan: Pick<PlanDefinition, 'prices' | 'minimum_amount_cents'>;
  /** The period whose usage and in-arrears fees are billed. */
  period: BillingPeriod;
  /** The period in-advance fees are billed for; null when none follows (the subscription ends with `period`). */
  nextPeriod: BillingPeriod | null;
  /** Keyed by meter code; a usage price whose meter is missing bills zero usage. */
  usageByMeter: Record<string, MeterPeriodUsage>;
}

export interface PeriodLines {
  lines: InvoicePreviewLine[];
  subtotal_cents: number;
}

type UsagePrice = Exclude<PlanPrice, { model: 'flat' }>;

/**
 * The invoice lines of a plan for one period, in the plan's price order: flat in-arrears fees for `period`, flat
 * in-advance fees for `nextPeriod`, one line per usage price (one per group when its meter groups), then the
 * plan's minimum as a "Minimum commitment" line topping the subtotal up when it falls short.
 */
export function periodLines({ plan, period, nextPeriod, usageByMeter }: PeriodLinesInput): PeriodLines {
  const lines: InvoicePreviewLine[] = [];
  for (const price of plan.prices) {
    if (price.model !== 'flat') {
      lines.push(...usageLines(price, period, usageByMeter[price.meter_code]));
      continue;
    }
    const billed = price.timing === 'in_arrears' ? period : nextPeriod;
    if (billed) lines.push(line(price, price.description, '1', chargeForPrice(price, '0').amountCents, billed));
  }
  const charged = sumCents(lines);
  const minimum = plan.minimum_amount_cents ?? 0;
  // The next period's in-advance fees count towards this one's minimum: under one plan version they are the same
  // amounts as the in-advance fees this period was billed at its start.
  if (charged < minimum)
    lines.push({
      price_id: null,
      description: 'Minimum commitment',
      quantity: '1',
      amount_cents: minimum - charged,
      ...isoPeriod(period),
    });
  return { lines, subtotal_cents: sumCents(lines) };
}

/**
 * A grouped meter prices each group on its own (tiers and free units apply per group, as Lago's grouped charges
 * do); the price's own minimum applies to the price as a whole, as one top-up line, not once per group.
 */
function usageLines(
  price: UsagePrice,
  period: BillingPeriod,
  usage: MeterPeriodUsage | undefined,
): InvoicePreviewLine[] {
  const groups = usage?.groups ?? [];
  if (groups.length === 0) {
    const quantity = usage?.total ?? '0';
    return [line(price, price.description, quantity, chargeForPrice(price, quantity).amountCents, period)];
  }
  const withoutMinimum = { ...price, minimum_amount_cents: undefined };
  const grouped = groups.map(({ key, value }) => {
    const quantity = value ?? '0';
    const amount = chargeForPrice(withoutMinimum, quantity).amountCents;
    return line(price, `${price.description} (${describeKey(key)})`, quantity, amount, period);
  });
  const shortfall = (price.minimum_amount_cents ?? 0) - sumCents(grouped);
  if (shortfall > 0) grouped.push(line(price, `${price.description} (minimum)`, '1', shortfall, period));
  return grouped;
}

function line(
  price: PlanPrice,
  description: string,
  quantity: string,
  amountCents: number,
  period: BillingPeriod,
): InvoicePreviewLine {
  return {
    price_id: price.id,
    description,
    quantity,
    amount_cents: amountCents,
    ...isoPeriod(period),
    ...(price.model === 'flat' ? {} : { meter_code: price.meter_code }),
  };
}

/** `model: gpt-4, region: eu`; an event without the property is grouped under `none`. */
function describeKey(key: GroupKey): string {
  return Object.entries(key)
    .map(([property, value]) => `${property}: ${value === null ? 'none' : String(value)}`)
    .join(', ');
}

function isoPeriod(period: BillingPeriod) {
  return { period_start: period.start.toISOString(), period_end: period.end.toISOString() };
}

function sumCents(lines: { amount_cents: number }[]): number {
  return lines.reduce((sum, { amount_cents }) => sum + amount_cents, 0);
}
