import { nextBoundary } from '@afternoon/billing-core/billingBoundaries';
import type { ApiError } from '@afternoon/contracts/common';
import { receivedByClockInstant } from '../customerClock/customerClock';
import { billSubscriptionPeriod } from './billingCommands';
import {
  type BillingPassDeps,
  type BillingRunMemory,
  nextAttempt,
  type PassProgress,
  recordSent,
  type SentBoundary,
} from './billingRunMemory';
import { commandRefusal, recordBoundaryRetry } from './boundaryAttempts';
import { boundaryInvoice } from './boundaryInvoice';
import type { SubscriptionToBill } from './subscriptionsToBill';

/** What became of a subscription's next due boundary in a pass. */
export type BoundaryOutcome = 'nothing_to_bill' | 'sent' | 'in_flight' | 'waiting_for_usage' | 'deferred';

/** A due boundary of a subscription, with the key the run remembers it by. */
interface DueBoundary {
  due: SubscriptionToBill;
  previous: Date | null;
  boundary: Date;
  key: string;
}

/**
 * The subscription's first due boundary without an invoice, sent unless it is on its way: `nothing_to_bill` when
 * everything due is billed. Boundaries with nothing to bill are passed over; the projection never records them.
 * The next boundary is sent only once the one before has its invoice (`billed_through` reached it), so a boundary
 * whose command was refused or dead-lettered holds the later ones back and is sent again, with backoff.
 */
export async function billNextBoundary(
  deps: BillingPassDeps,
  memory: BillingRunMemory,
  pass: PassProgress,
  due: SubscriptionToBill,
): Promise<BoundaryOutcome> {
  const { subscription, now, gracePeriodMs } = due;
  let previous = due.billedThrough;
  for (let boundary = nextBoundary(subscription, previous); boundary; boundary = nextBoundary(subscription, previous)) {
    const billsUsage = previous !== null;
    if (now.getTime() < boundary.getTime() + (billsUsage ? gracePeriodMs : 0)) break;
    const key = `${subscription.id}|${boundary.toISOString()}`;
    pass.looked.add(key);
    const outcome = await billBoundary(deps, memory, pass, { due, previous, boundary, key });
    if (outcome !== 'nothing_to_bill') return outcome;
    previous = boundary;
  }
  return 'nothing_to_bill';
}

/**
 * Builds the boundary's invoice and queues it to be recorded, unless it has nothing to bill, is on its way, or the
 * pass is full. An invoice being built holds its place within the pass's bound.
 */
async function billBoundary(
  deps: BillingPassDeps,
  memory: BillingRunMemory,
  pass: PassProgress,
  target: DueBoundary,
): Promise<BoundaryOutcome> {
  const { key } = target;
  if (memory.nothingToBill.has(key)) return 'nothing_to_bill';
  const attempt = memory.sent.get(key);
  if (attempt && deps.now().getTime() < attempt.retryAt) return 'in_flight';
  if (pass.commandsSent + pass.building >= deps.maxCommandsPerPass) return 'deferred';
  pass.building += 1;
  try {
    return await buildAndQueue(deps, memory, pass, target, attempt);
  } finally {
    pass.building -= 1;
  }
}

async function buildAndQueue(
  deps: BillingPassDeps,
  memory: BillingRunMemory,
  pass: PassProgress,
  target: DueBoundary,
  attempt: SentBoundary | undefined,
): Promise<BoundaryOutcome> {
  const { due, previous, boundary, key } = target;
  const { tenant, subscription, gracePeriodMs, usageBilledThrough } = due;
  const receivedBy = receivedCutoffOf(deps, pass, due);
  const bill = { tenant, subscription, previous, boundary, usageBilledThrough, gracePeriodMs, receivedBy };
  const invoice = await boundaryInvoice(deps, bill);
  switch (invoice.status) {
    case 'waiting_for_usage':
      return 'waiting_for_usage';
    case 'nothing_to_bill':
      memory.nothingToBill.add(key);
      return 'nothing_to_bill';
    case 'refused':
      memory.sent.set(key, await holdRefused(deps, target, attempt, invoice.error));
      return 'in_flight';
    case 'ready': {
      if (attempt) await recordRetry(deps, target, attempt);
      const keyed = billSubscriptionPeriod(tenant, invoice.command, due.now);
      recordSent(memory, pass, subscription.id);
      await pass.invoices.add({ key, attempt, keyed, due });
      return 'sent';
    }
    default: {
      const unknown: never = invoice;
      return unknown;
    }
  }
}

/**
 * A boundary whose invoice cannot be issued (a money bound): nothing is sent, it is logged and listed as stuck
 * with the reason, and looked at again with the same backoff; its later boundaries wait.
 */
async function holdRefused(
  deps: BillingPassDeps,
  { due, boundary }: DueBoundary,
  attempt: SentBoundary | undefined,
  error: ApiError,
): Promise<SentBoundary> {
  const held = nextAttempt(deps, attempt, null);
  const { attempts, firstSentAt } = held;
  const subscriptionId = due.subscription.id;
  deps.logger.error(
    { subscription_id: subscriptionId, boundary: boundary.toISOString(), attempts, refused: error },
    'a billing boundary cannot be invoiced; trying it again later (its later boundaries wait)',
  );
  await recordBoundaryRetry(
    deps.db,
    due.tenant,
    { subscriptionId, boundary, attempts, firstSentAt, error },
    deps.now(),
  );
  return held;
}

/** A boundary sent before has no invoice yet: say so (loudly), and keep it where the status read finds it. */
async function recordRetry(deps: BillingPassDeps, { due, boundary }: DueBoundary, attempt: SentBoundary) {
  const error = attempt.commandId === null ? null : await commandRefusal(deps.db, attempt.commandId);
  const subscriptionId = due.subscription.id;
  deps.logger.error(
    {
      subscription_id: subscriptionId,
      organization_id: due.tenant.organizationId,
      boundary: boundary.toISOString(),
      attempts: attempt.attempts,
      refused: error,
    },
    error
      ? 'a billing boundary was refused; sending it again (its later boundaries wait)'
      : 'a billing boundary has no invoice yet (dead-lettered or delayed); sending it again (its later boundaries wait)',
  );
  const retry = { subscriptionId, boundary, attempts: attempt.attempts + 1, firstSentAt: attempt.firstSentAt, error };
  await recordBoundaryRetry(deps.db, due.tenant, retry, deps.now());
}

/**
 * Usage received by an instant of the subscription's time: the same instant, or for a test clock, everything
 * received before the clock was advanced past it (all received so far while it has not been). Read once per clock
 * and instant in a pass, however many of the clock's subscriptions ask.
 */
function receivedCutoffOf(
  deps: BillingPassDeps,
  pass: PassProgress,
  { testClockId }: SubscriptionToBill,
): (instant: Date) => Promise<Date> {
  if (!testClockId) return async (instant) => instant;
  return (instant) => {
    const key = `${testClockId}|${instant.toISOString()}`;
    let cutoff = pass.clockCutoffs.get(key);
    if (!cutoff) {
      cutoff = receivedByClockInstant(deps.db, testClockId, instant).then((advancedAt) => advancedAt ?? new Date());
      pass.clockCutoffs.set(key, cutoff);
    }
    return cutoff;
  };
}
