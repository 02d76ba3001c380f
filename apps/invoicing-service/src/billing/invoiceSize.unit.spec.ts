import { type MeterPeriodUsage, periodLines } from '@afternoon/billing-core/periodLines';
import {
  BillSubscriptionPeriod,
  InvoiceCreated,
  maxGroupLinesPerPrice,
  maxSubscriptionLinesBytes,
} from '@afternoon/contracts/invoices';
import type { PlanPrice } from '@afternoon/contracts/plans';
import { newResourceId } from '@afternoon/service-kit';
import { describe, expect, it } from 'vitest';
import { subscriptionLineItem } from './boundaryInvoice';

// The most a plan allows: 50 prices, 500-character descriptions, 100-character meter codes, 5 grouped properties
// of 255-character names and 1000-character values, in characters that take 3 bytes of UTF-8 each.
const maxPrices = 50;
const wide = (character: string, length: number) => character.repeat(length);
const january = { start: new Date('2027-01-01T00:00:00Z'), end: new Date('2027-02-01T00:00:00Z') };
const ended = { ...january, whole: january };
const february = { start: january.end, end: new Date('2027-03-01T00:00:00Z') };
const source = {
  onTimeFrom: january.start,
  lateFrom: new Date('2026-12-01T00:00:00Z'),
  lateReceivedAfter: new Date('2027-01-01T01:00:00Z'),
  usageCutoff: new Date('2027-02-01T01:00:00Z'),
};

function groupedPrice(index: number, description: string, minimumCents?: number): PlanPrice {
  return {
    id: newResourceId(),
    model: 'per_unit',
    description,
    meter_code: `${wide('m', 96)}${String(index).padStart(4, '0')}`,
    unit_amount: '1',
    ...(minimumCents === undefined ? {} : { minimum_amount_cents: minimumCents }),
  };
}

function longKey(index: number): Record<string, string> {
  return Object.fromEntries(
    Array.from({ length: 5 }, (_, property) => [
      `${property}${wide('名', 254)}`,
      `${String(index).padStart(4, '0')}${wide('値', 996)}`,
    ]),
  );
}

function usageOf(prices: PlanPrice[], groups: (index: number) => MeterPeriodUsage['groups']) {
  return Object.fromEntries(
    prices.flatMap((price) => (price.model === 'flat' ? [] : [[price.meter_code, { total: '0', groups: groups(0) }]])),
  );
}

/** The invoice's event and command as they go to Kafka, and their size in bytes of JSON. */
function invoiceMessages(prices: PlanPrice[], byMeter: Record<string, MeterPeriodUsage>, minimumCents: number) {
  const { lines, subtotal_cents } = periodLines({
    plan: { prices, minimum_amount_cents: minimumCents },
    ended,
    starting: { ...february, whole: february },
    usageByMeter: byMeter,
    lateUsageByMeter: byMeter,
    // 40 currency grants with the longest names gave 10¢ each: the line names 19 and sums the other 21.
    currencyCredits: {
      grants: Array.from({ length: 40 }, () => ({
        grant_id: newResourceId(),
        name: wide('名', 255),
        amount_cents: 10,
      })),
      unattributedCents: 0,
    },
  });
  const lineItems = lines.map((line) => subscriptionLineItem(line, source));
  const invoice = {
    invoice_id: newResourceId(),
    customer_id: newResourceId(),
    terms: { collection_method: 'send_invoice', days_until_due: 30, due_date: null, memo: null, metadata: {} },
    currency: 'usd',
    billing: {
      subscription_id: newResourceId(),
      boundary: january.end.toISOString(),
      billing_reason: 'subscription_cycle',
      usage_received_through: source.usageCutoff.toISOString(),
    },
  } as const;
  const customer = { name: wide('名', 255), email: `${wide('a', 240)}@example.com`, billing_address: null };
  const event = InvoiceCreated.parse({
    type: 'InvoiceCreated',
    data: {
      ...invoice,
      customer,
      line_items: [],
      subscription_line_items: lineItems,
      occurred_at: source.usageCutoff.toISOString(),
    },
  });
  const command = BillSubscriptionPeriod.parse({
    type: 'BillSubscriptionPeriod',
    data: { ...invoice, line_items: lineItems, public_invoice_url: `https://example.com/inv/${wide('x', 128)}` },
  });
  return {
    lines,
    subtotal_cents,
    linesBytes: Buffer.byteLength(JSON.stringify(lineItems)),
    eventBytes: Buffer.byteLength(JSON.stringify(event)),
    commandBytes: Buffer.byteLength(JSON.stringify(command)),
  };
}

const wellUnderKafkaLimit = 448 * 1024;

describe('the size of a subscription invoice on Kafka', () => {
  it('stays well under 512 KiB with every text at its longest: groups whose lines do not fit are summed', () => {
    const prices = Array.from({ length: maxPrices }, (_, index) => groupedPrice(index, wide('語', 500), 1_000_000));
    const groups = () => Array.from({ length: 3 }, (_, index) => ({ key: longKey(index), value: String(index + 1) }));
    const invoice = invoiceMessages(prices, usageOf(prices, groups), 1_000_000_000);
    // Per price: its usage and late usage lines, the groups summed, and its minimum; then the plan's minimum.
    expect(invoice.lines.filter((line) => line.summed_groups !== undefined)).toHaveLength(2 * maxPrices);
    expect(invoice.linesBytes).toBeLessThanOrEqual(maxSubscriptionLinesBytes);
    expect(invoice.eventBytes).toBeLessThan(wellUnderKafkaLimit);
    expect(invoice.commandBytes).toBeLessThan(wellUnderKafkaLimit);
    // The minimum, less 40 × 10¢ of credits.
    expect(invoice.subtotal_cents).toBe(1_000_000_000 - 400);
    expect(invoice.lines.at(-1)?.credit_grants).toHaveLength(20);
  });

  it('stays well under 512 KiB with thousands of groups, each price showing its largest ones, the total exact', () => {
    const prices = Array.from({ length: maxPrices }, (_, index) => groupedPrice(index, `LLM tokens ${index}`));
    const groups = () =>
      Array.from({ length: 150 }, (_, index) => ({ key: { model: `model-${index}` }, value: String(index + 1) }));
    const invoice = invoiceMessages(prices, usageOf(prices, groups), 0);
    expect(invoice.lines.length).toBeLessThanOrEqual(maxPrices * (2 * (maxGroupLinesPerPrice + 1) + 1) + 1);
    expect(invoice.linesBytes).toBeLessThanOrEqual(maxSubscriptionLinesBytes);
    expect(invoice.eventBytes).toBeLessThan(wellUnderKafkaLimit);
    expect(invoice.commandBytes).toBeLessThan(wellUnderKafkaLimit);
    // Room is handed out rank by rank: every price and kind shows its largest groups (150, 149, …), and as many as
    // the others give or take the one rank the room ran out in; the lines keep the groups' order (…, 149, 150).
    const shown = new Map<string, string[]>();
    for (const line of invoice.lines.filter((billed) => billed.group !== undefined))
      shown.set(`${line.price_id} ${line.kind}`, [
        ...(shown.get(`${line.price_id} ${line.kind}`) ?? []),
        line.quantity,
      ]);
    const counts = [...shown.values()].map((quantities) => quantities.length);
    expect(shown.size).toBe(2 * maxPrices);
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
    const largest = (count: number) => Array.from({ length: count }, (_, index) => String(151 - count + index));
    expect([...shown.values()].every((quantities) => quantities.join() === largest(quantities.length).join())).toBe(
      true,
    );
    // 1 + 2 + … + 150 = 11,325 tokens at 1¢, on time and again late, for each of the 50 prices, less 400¢ of credits
    expect(invoice.subtotal_cents).toBe(maxPrices * 2 * 11_325 - 400);
  });
});
