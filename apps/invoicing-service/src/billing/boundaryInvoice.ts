import { type BoundaryBilling, boundaryBilling, spanPaidInAdvance } from '@afternoon/billing-core/billingBoundaries';
import { type MeterPeriodUsage, periodLines } from '@afternoon/billing-core/periodLines';
import type { ApiError } from '@afternoon/contracts/common';
import type { BilledLine, BillSubscriptionPeriod, SubscriptionLineItem } from '@afternoon/contracts/invoices';
import type { Plan } from '@afternoon/contracts/plans';
import {
  type InternalApi,
  newHostedInvoiceUrl,
  newResourceId,
  type Queryable,
  type Tenant,
  ValidationError,
} from '@afternoon/service-kit';
import { withinMoneyBounds } from '../moneyBounds';
import { getPlan } from '../plans/getPlans';
import type { SubscriptionRecord } from '../subscriptions/subscription';
import { invoiceCredits, noInvoiceCredits } from './invoiceCredits';
import { meterUsages, type UsageQuestion } from './meteringUsage';
import { subscriptionInvoiceId } from './subscriptionInvoiceId';
import type { AskUsage } from './usageAsks';

export interface BoundaryInvoiceDeps {
  db: Queryable;
  metering: InternalApi;
  /** Where hosted invoice pages are served (the gateway's public address). */
  publicUrl: string;
  /** Reads a plan version (by default from the plans table each time). */
  planOf?(tenant: Tenant, code: string, version: number): Promise<Plan | undefined>;
  /** Whether the subscription may have credits to apply; when false, its invoice applies none (no reads). */
  mayHaveCredits?(subscriptionId: string): Promise<boolean>;
  /** Asks metering the usage questions (by default one request per bill). */
  askUsage?: AskUsage;
}

export interface BoundaryToBill {
  tenant: Tenant;
  subscription: SubscriptionRecord;
  /** The boundary before this one, null at the start. */
  previous: Date | null;
  boundary: Date;
  /** The received-at cutoff of the usage the subscription's invoices billed so far; null before any. */
  usageBilledThrough: Date | null;
  /** How long after a period ends its late usage is still billed with it. */
  gracePeriodMs: number;
  /** The real instant up to which usage counts as received by `instant` of the subscription's time. */
  receivedBy(instant: Date): Promise<Date>;
}

/** Invoices are sent for payment, due 30 days after they are issued. */
const paymentTermsDays = 30;

export type BoundaryInvoice =
  | { status: 'ready'; command: BillSubscriptionPeriod['data']; usageCutoff: Date | null }
  /** Metering has not yet stored every event received up to the cutoff: billing now could miss some. */
  | { status: 'waiting_for_usage'; usageCutoff: Date }
  /** Nothing to bill here (a start with no in-advance fee). */
  | { status: 'nothing_to_bill' }
  /** Its invoice would cross a money bound (a line or the total past 10^15 minor units): it cannot be issued. */
  | { status: 'refused'; error: ApiError };

/**
 * The invoice for one boundary of a subscription: the span that ended there bills its usage received up to the
 * boundary plus the grace period, and the usage of earlier spans received since the previous invoice's cutoff.
 */
export async function boundaryInvoice(deps: BoundaryInvoiceDeps, bill: BoundaryToBill): Promise<BoundaryInvoice> {
  const { tenant, subscription, previous, boundary } = bill;
  const planOf = deps.planOf ?? ((...args) => getPlan(deps.db, ...args));
  const plan = await planOf(tenant, subscription.planCode, subscription.planVersion);
  if (!plan) throw new Error(`plan '${subscription.planCode}' v${subscription.planVersion} is missing`);
  const billing = boundaryBilling(subscription, previous, boundary);
  const usageCutoff = billing.ended ? await bill.receivedBy(new Date(boundary.getTime() + bill.gracePeriodMs)) : null;

  let usage: SpanUsage = { onTime: {}, late: {}, processedThrough: null };
  if (billing.ended && usageCutoff) {
    usage = await spanUsage(deps, bill, plan, billing.ended, usageCutoff);
    if (!usageSettled(usage.processedThrough, usageCutoff)) return { status: 'waiting_for_usage', usageCutoff };
  }
  const paid =
    billing.reason === 'subscription_end' && previous && subscription.refundPolicy === 'refund_prorated'
      ? spanPaidInAdvance(subscription, previous, boundary)
      : null;
  // Credits are read after usage settled: debits rated since then are applied by the next invoice.
  const question = { subscriptionId: subscription.id, currency: plan.currency, boundary };
  const credits =
    deps.mayHaveCredits && !(await deps.mayHaveCredits(subscription.id))
      ? noInvoiceCredits
      : await invoiceCredits(deps.db, tenant, question);
  let lines: BilledLine[];
  try {
    ({ lines } = withinMoneyBounds(() =>
      periodLines({
        plan,
        ended: billing.ended,
        starting: billing.starting,
        usageByMeter: usage.onTime,
        lateUsageByMeter: usage.late,
        ...credits,
        ...(paid && previous ? { refund: { paid, used: { start: previous, end: boundary, whole: paid.whole } } } : {}),
      }),
    ));
  } catch (error) {
    if (error instanceof ValidationError) return { status: 'refused', error: error.toApiError() };
    throw error;
  }
  if (lines.length === 0) return { status: 'nothing_to_bill' };

  return { status: 'ready', usageCutoff, command: invoiceCommand(deps, bill, plan, billing, lines, usageCutoff) };
}

/** The command that creates and finalizes the boundary's invoice, its usage lines pointing at their events. */
function invoiceCommand(
  deps: BoundaryInvoiceDeps,
  bill: BoundaryToBill,
  plan: Plan,
  billing: BoundaryBilling,
  lines: BilledLine[],
  usageCutoff: Date | null,
): BillSubscriptionPeriod['data'] {
  const { subscription, boundary } = bill;
  const lateFrom = new Date(subscription.startDate);
  const source = usageCutoff && {
    onTimeFrom: billing.ended?.start ?? lateFrom,
    lateFrom,
    lateReceivedAfter: bill.usageBilledThrough,
    usageCutoff,
  };
  return {
    invoice_id: subscriptionInvoiceId(subscription.id, boundary),
    customer_id: subscription.customerId,
    billing: {
      subscription_id: subscription.id,
      boundary: boundary.toISOString(),
      billing_reason: billing.reason,
      usage_received_through: usageCutoff?.toISOString() ?? null,
    },
    terms: {
      collection_method: 'send_invoice',
      days_until_due: paymentTermsDays,
      due_date: null,
      memo: null,
      metadata: {},
    },
    currency: plan.currency,
    line_items: lines.map((line) => subscriptionLineItem(line, source)),
    public_invoice_url: newHostedInvoiceUrl(deps.publicUrl),
  };
}

interface SpanUsage {
  onTime: Record<string, MeterPeriodUsage>;
  late: Record<string, MeterPeriodUsage>;
  /** The horizon metering answered with; null when no meter was asked. */
  processedThrough: Date | null;
}

/**
 * Per meter the plan prices, asked of metering in one request: usage within the ended span received by the cutoff,
 * and usage before the span received after the previous invoice's cutoff and by this one (late for its own invoice).
 */
async function spanUsage(
  deps: BoundaryInvoiceDeps,
  bill: BoundaryToBill,
  plan: Plan,
  ended: { start: Date; end: Date },
  usageCutoff: Date,
): Promise<SpanUsage> {
  const { subscription, usageBilledThrough } = bill;
  const meterCodes = [...new Set(plan.prices.flatMap((price) => (price.model === 'flat' ? [] : [price.meter_code])))];
  const start = new Date(subscription.startDate);
  const asksLate = ended.start > start && usageBilledThrough !== null && usageBilledThrough < usageCutoff;
  const customerId = subscription.customerId;
  const onTime = meterCodes.map(
    (meterCode): UsageQuestion => ({
      customerId,
      meterCode,
      from: ended.start,
      to: ended.end,
      received: { after: null, through: usageCutoff },
    }),
  );
  const late = asksLate
    ? meterCodes.map(
        (meterCode): UsageQuestion => ({
          customerId,
          meterCode,
          from: start,
          to: ended.start,
          received: { after: usageBilledThrough, through: usageCutoff },
        }),
      )
    : [];
  const ask = deps.askUsage ?? ((tenant, questions) => meterUsages(deps.metering, tenant, questions));
  const { answered, processedThrough } = await ask(bill.tenant, [...onTime, ...late]);
  const byMeter = (answers: typeof answered) =>
    Object.fromEntries(answers.map(({ question, usage }) => [question.meterCode, usage]));
  return {
    onTime: byMeter(answered.slice(0, onTime.length)),
    late: byMeter(answered.slice(onTime.length)),
    processedThrough,
  };
}

/** Where the events of an invoice's usage lines are: on time from `onTimeFrom`, late from `lateFrom` on. */
export interface UsageSource {
  onTimeFrom: Date;
  lateFrom: Date;
  /** The previous invoice's usage cutoff: late usage was received after it. */
  lateReceivedAfter: Date | null;
  usageCutoff: Date;
}

/** The line as the invoice keeps it, with where a usage line's events can be found again. */
export function subscriptionLineItem(line: BilledLine, source: UsageSource | null): SubscriptionLineItem {
  const { group, meter_code, summed_groups, ...shown } = line;
  const isUsage = (line.kind === 'usage' || line.kind === 'late_usage') && meter_code !== undefined && source;
  return {
    id: newResourceId(),
    ...shown,
    usage: isUsage
      ? {
          meter_code,
          from: (line.kind === 'usage' ? source.onTimeFrom : source.lateFrom).toISOString(),
          to: (line.kind === 'usage' ? new Date(line.period_end) : source.onTimeFrom).toISOString(),
          received_after: line.kind === 'usage' ? null : (source.lateReceivedAfter?.toISOString() ?? null),
          received_through: source.usageCutoff.toISOString(),
          group: group ?? null,
          ...(summed_groups === undefined ? {} : { summed_groups }),
        }
      : null,
  };
}

/**
 * Whether metering has stored all the usage a window up to `cutoff` (inclusive) takes. `processedThrough` vouches only
 * for records appended strictly before it, so it must be past the cutoff: equal is not enough, since a record of that
 * same millisecond may still be unhandled. Null means no meter was asked.
 */
export function usageSettled(processedThrough: Date | null, cutoff: Date): boolean {
  return processedThrough === null || processedThrough > cutoff;
}
