import { clocksWithGrantsDue } from '../creditGrants/grantsToExpire';
import { advancingClocks } from '../customerClock/customerClock';
import { advanceSubscription, markTestClockReady } from './billingCommands';
import { type BillingPassDeps, type BillingRunMemory, type PassProgress, recordSent } from './billingRunMemory';
import { forgetBilledBoundaries } from './boundaryAttempts';
import { billNextBoundary } from './boundaryStep';
import { chargeDueInvoices } from './chargeStep';
import { type SubscriptionToBill, subscriptionsToBill } from './subscriptionsToBill';

/** What one pass did, and whether the next should come soon (a clock waits to be ready, or commands are on their way). */
export interface BillingPassResult {
  commandsSent: number;
  subscriptionsDeferred: number;
  moreSoon: boolean;
}

/**
 * One pass over the subscriptions with something due now, then every advancing clock whose customers have nothing
 * left due is called ready. At most `maxCommandsPerPass` commands, taking tenants in turn.
 */
export async function billingPass(deps: BillingPassDeps, memory: BillingRunMemory): Promise<BillingPassResult> {
  // Read before the subscriptions, so a clock is only called ready for the time its subscriptions were billed at.
  const advancing = await advancingClocks(deps.db);
  await forgetBilledBoundaries(deps.db);
  // A clock whose grants are due is busy until the expiry loop has expired them.
  const busyClocks = advancing.length > 0 ? await clocksWithGrantsDue(deps.db) : new Set<string>();
  const pass: PassProgress = { commandsSent: 0, subscriptionsDeferred: 0, looked: new Set(), busyClocks };
  const due = await subscriptionsToBill(deps.db, deps.now(), deps.defaultGracePeriodMs);
  for (const subscription of startingAfter(due, memory.resumeAfter))
    await billSubscription(deps, memory, pass, subscription);
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
