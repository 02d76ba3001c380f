import { type BilledSpan, boundaryBilling } from '@afternoon/billing-core/billingBoundaries';
import type { BillingPeriod } from '@afternoon/billing-core/billingPeriods';
import { type MeterPeriodUsage, periodLines } from '@afternoon/billing-core/periodLines';
import type { UpcomingInvoice } from '@afternoon/contracts/invoices';
import type { PlanPrice } from '@afternoon/contracts/plans';
import { IllegalStateError, type InternalApi, type Queryable, type Tenant } from '@afternoon/service-kit';
import { customerNow } from '../customerClock/customerClock';
import { withinMoneyBounds } from '../moneyBounds';
import { getPlan } from '../plans/getPlans';
import { subscriptionNotFound } from '../subscriptions/businessLogic';
import { getSubscriptionRecord } from '../subscriptions/getSubscriptions';
import { toSubscription } from '../subscriptions/subscription';
import { invoiceCredits } from './invoiceCredits';
import { meterUsages } from './meteringUsage';

export interface UpcomingInvoiceDeps {
  db: Queryable;
  metering: InternalApi;
}

/**
 * What the subscription's current period would bill if it ended at `now`: its usage from the period start to
 * `now`, its in-arrears fees, and the in-advance fees of the period after it (none when it ends with this one).
 * Reads only; nothing is created. "Now" is the customer's test clock's time when they live on one.
 */
export async function upcomingInvoice(
  deps: UpcomingInvoiceDeps,
  tenant: Tenant,
  subscriptionId: string,
  realNow: Date,
): Promise<UpcomingInvoice> {
  const record = await getSubscriptionRecord(deps.db, tenant, subscriptionId);
  if (!record) throw subscriptionNotFound(subscriptionId);
  const now = await customerNow(deps.db, tenant, record.customerId, realNow);
  const subscription = toSubscription(record, now);
  const cancelAt = subscription.cancel_at === null ? null : new Date(subscription.cancel_at);
  if (subscription.status === 'canceled' || (cancelAt && cancelAt <= now))
    throw new IllegalStateError(`subscription '${subscriptionId}' is canceled: nothing upcoming`);
  const plan = await getPlan(deps.db, tenant, subscription.plan_code, subscription.plan_version);
  if (!plan)
    throw new Error(`plan '${subscription.plan_code}' v${subscription.plan_version} of '${subscriptionId}' is missing`);

  const period = wholeSpan({
    start: new Date(subscription.current_period_start),
    end: new Date(subscription.current_period_end),
  });
  // The next period as the period end's invoice will bill it in advance (a slice of a period after a renewal by hand).
  const nextPeriod = boundaryBilling(record, period.start, period.end).starting;
  const usage = await periodUsage(deps, tenant, subscription.customer_id, plan.prices, period.start, now);
  // The credits the period end's invoice would apply, as far as usage is rated by now.
  const credits = await invoiceCredits(deps.db, tenant, {
    subscriptionId: subscription.id,
    currency: plan.currency,
    boundary: period.end,
  });
  const billed = withinMoneyBounds(() =>
    periodLines({ plan, ended: period, starting: nextPeriod, usageByMeter: usage.byMeter, ...credits }),
  );
  const lines = billed.lines.map(({ group: _group, summed_groups: _summed, ...line }) => line);
  const { subtotal_cents } = billed;
  return {
    subscription_id: subscription.id,
    customer_id: subscription.customer_id,
    currency: plan.currency,
    period_start: subscription.current_period_start,
    period_end: subscription.current_period_end,
    lines,
    subtotal_cents,
    total_cents: subtotal_cents,
    usage_processed_through: usage.processedThrough,
  };
}

/**
 * Each usage price's meter over [from, to), by the meter's own group_by, in one request; `processedThrough` is the
 * answer's horizon, so every line is at least that fresh. Before the period starts there is no usage.
 */
async function periodUsage(
  deps: UpcomingInvoiceDeps,
  tenant: Tenant,
  customerId: string,
  prices: PlanPrice[],
  from: Date,
  to: Date,
): Promise<{ byMeter: Record<string, MeterPeriodUsage>; processedThrough: string | null }> {
  const meterCodes = [...new Set(prices.flatMap((price) => (price.model === 'flat' ? [] : [price.meter_code])))];
  if (meterCodes.length === 0 || to <= from) return { byMeter: {}, processedThrough: null };
  const questions = meterCodes.map((meterCode) => ({ customerId, meterCode, from, to }));
  const { answered, processedThrough } = await meterUsages(deps.metering, tenant, questions);
  return {
    byMeter: Object.fromEntries(answered.map(({ question, usage }) => [question.meterCode, usage])),
    processedThrough: processedThrough?.toISOString() ?? null,
  };
}

/** The preview bills the current period as if it ran its whole length: nothing is prorated. */
function wholeSpan(period: BillingPeriod): BilledSpan {
  return { ...period, whole: period };
}
