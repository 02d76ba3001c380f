import { clocksWithGrantsDue } from '../creditGrants/grantsToExpire';
import { advancingClocks } from '../customerClock/customerClock';
import { getPlan } from '../plans/getPlans';
import { advanceSubscription, markTestClockReady } from './billingCommands';
import { type BillingPassDeps, type BillingRunMemory, type PassProgress, recordSent } from './billingRunMemory';
import { forgetBilledBoundaries } from './boundaryAttempts';
import { billNextBoundary } from './boundaryStep';
import { chargeDueInvoices } from './chargeStep';
import { creditHolders } from './creditHolders';
import { InvoiceBatches } from './invoiceBatches';
import { type SubscriptionToBill, subscriptionsToBill } from './subscriptionsToBill';
import { sharedUsageAsks } from './usageAsks';

/** What one pass did, and whether the next should come soon (a clock waits to be ready, or commands are on their way). */
export interface BillingPassResult {
  commandsSent: number;
  subscriptionsDeferred: number;
  moreSoon: boolean;
}

/**
 * Subscriptions whose next step is worked out at once: their reads (plan, usage, credits) overlap, and their usage
 * questions go to metering together.
 */
const subscriptionsAtOnce = 32;
/**
 * Usage questions per request to metering, shared by the bills worked out at once, and the requests out at once:
 * metering answers a request's questions one after the other in one snapshot, so two keep it busy while the
 * questions asked meanwhile gather into the next.
 */
const usageAsks = { maxItems: 200, requestsAtOnce: 2 };
/** Invoices recorded per transaction. */
const invoicesPerTransaction = 100;

/**
 * One pass over the subscriptions with something due now, then every advancing clock whose customers have nothing
 * left due is called ready. At most `maxCommandsPerPass` commands (an invoice counts as one), taking tenants in
 * turn; invoices are built for several subscriptions at once and recorded a batch at a time.
 */
export async function billingPass(deps: BillingPassDeps, memory: BillingRunMemory): Promise<BillingPassResult> {
  // Read before the subscriptions, so a clock is only called ready for the time its subscriptions were billed at.
  const advancing = await advancingClocks(deps.db);
  await forgetBilledBoundaries(deps.db);
  // A clock whose grants are due is busy until the expiry loop has expired them.
  const busyClocks = advancing.length > 0 ? await clocksWithGrantsDue(deps.db) : new Set<string>();
  const invoices = new InvoiceBatches(deps, memory, invoicesPerTransaction);
  const pass: PassProgress = {
    commandsSent: 0,
    subscriptionsDeferred: 0,
    looked: new Set(),
    busyClocks,
    building: 0,
    invoices,
    clockCutoffs: new Map(),
  };
  const due = startingAfter(
    await subscriptionsToBill(deps.db, deps.now(), deps.defaultGracePeriodMs),
    memory.resumeAfter,
  );
  const holders = creditHolders(deps.db, due);
  const bySubscription = new Map(due.map((subscription) => [subscription.subscription.id, subscription]));
  const passDeps: BillingPassDeps = {
    ...deps,
    planOf: planReads(deps),
    askUsage: sharedUsageAsks(deps.metering, usageAsks),
    mayHaveCredits: async (id) => {
      const subscription = bySubscription.get(id);
      return subscription ? holders(subscription) : true;
    },
  };
  let next = 0;
  const worker = async () => {
    for (let subscription = due[next++]; subscription; subscription = due[next++])
      await billSubscription(passDeps, memory, pass, subscription);
  };
  await Promise.all(Array.from({ length: Math.min(subscriptionsAtOnce, due.length) }, worker));
  await invoices.flush();
  if (deps.charges) await chargeDueInvoices({ ...deps, charges: deps.charges }, memory, pass);
  for (const clock of advancing) if (!pass.busyClocks.has(clock.id)) await deps.send(markTestClockReady(clock));
  // Boundaries the pass did not come to again are billed (or their subscription ended): nothing to resend.
  for (const key of memory.sent.keys()) if (!pass.looked.has(key)) memory.sent.delete(key);
  const { commandsSent, subscriptionsDeferred } = pass;
  if (subscriptionsDeferred > 0)
    deps.logger.info(
      { commands_sent: commandsSent, subscriptions_deferred: subscriptionsDeferred },
      'billing pass reached its bound; the next pass continues at once',
    );
  const moreSoon = advancing.length > 0 || pass.busyClocks.size > 0 || commandsSent > 0;
  return { commandsSent, subscriptionsDeferred, moreSoon };
}

/** The pass's plan reads: each plan version read once, however many subscriptions bill it. */
function planReads(deps: BillingPassDeps): NonNullable<BillingPassDeps['planOf']> {
  const plans = new Map<string, ReturnType<NonNullable<BillingPassDeps['planOf']>>>();
  return (tenant, code, version) => {
    const key = JSON.stringify([tenant.organizationId, tenant.mode, code, version]);
    let plan = plans.get(key);
    if (!plan) {
      plan = getPlan(deps.db, tenant, code, version);
      plans.set(key, plan);
    }
    return plan;
  };
}

/** The subscriptions in pass order, starting after the one the last pass sent to last. */
function startingAfter(subscriptions: SubscriptionToBill[], resumeAfter: string | undefined) {
  const last = subscriptions.findIndex(({ subscription }) => subscription.id === resumeAfter);
  return [...subscriptions.slice(last + 1), ...subscriptions.slice(0, last + 1)];
}

/** Takes the subscription's next step; a failure is logged and leaves its clock busy, and the pass goes on. */
async function billSubscription(
  deps: BillingPassDeps,
  memory: BillingRunMemory,
  pass: PassProgress,
  due: SubscriptionToBill,
): Promise<void> {
  try {
    const step = await nextStep(deps, memory, pass, due);
    if (step === 'deferred') pass.subscriptionsDeferred += 1;
    if (step !== 'settled' && due.testClockId) pass.busyClocks.add(due.testClockId);
  } catch (error) {
    if (due.testClockId) pass.busyClocks.add(due.testClockId);
    deps.logger.error({ err: error, subscription_id: due.subscription.id }, 'billing a subscription failed');
  }
}

/**
 * Whether the subscription has everything due billed (`settled`), has a command on its way or waits for usage
 * (`busy`), or has one to send that this pass has no room left for (`deferred`).
 */
async function nextStep(
  deps: BillingPassDeps,
  memory: BillingRunMemory,
  pass: PassProgress,
  due: SubscriptionToBill,
): Promise<'settled' | 'busy' | 'deferred'> {
  // A start or an end changes what is due: bill once the projection has it (its change wakes the run).
  if (startsOrEnds(due)) {
    if (pass.commandsSent >= deps.maxCommandsPerPass) return 'deferred';
    await deps.send(advanceSubscription(due.tenant, due.subscription.id, due.now));
    recordSent(memory, pass, due.subscription.id);
    return 'busy';
  }
  const outcome = await billNextBoundary(deps, memory, pass, due);
  if (outcome === 'nothing_to_bill') return 'settled';
  return outcome === 'deferred' ? 'deferred' : 'busy';
}

/** Whether a pending subscription's start or an end (scheduled, or its customer's deletion) has come. */
function startsOrEnds({ subscription, now, customerDeletedAt }: SubscriptionToBill): boolean {
  const starts = subscription.status === 'pending' && new Date(subscription.startDate) <= now;
  const endsAt = [subscription.cancelAt ? new Date(subscription.cancelAt) : null, customerDeletedAt];
  const ends = subscription.status !== 'canceled' && endsAt.some((end) => end !== null && end <= now);
  return starts || ends;
}
