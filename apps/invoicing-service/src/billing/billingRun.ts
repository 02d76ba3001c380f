import { randomUUID } from 'node:crypto';
import { nextBoundary } from '@afternoon/billing-core/billingBoundaries';
import type { ApiError } from '@afternoon/contracts/common';
import type { CommandRecord } from '@afternoon/contracts/messaging';
import type { Logger, Tenant } from '@afternoon/service-kit';
import { type AdvancingClock, advancingClocks, receivedByClockInstant } from '../customerClock/customerClock';
import { commandRefusal, forgetBilledBoundaries, recordBoundaryRetry } from './boundaryAttempts';
import { type BoundaryInvoiceDeps, boundaryInvoice } from './boundaryInvoice';
import { meterGroupBy } from './meteringUsage';
import { type SubscriptionToBill, subscriptionsToBill } from './subscriptionsToBill';

export interface BillingRunDeps extends BoundaryInvoiceDeps {
  /** The grace period for late usage of organizations that did not set their own. */
  defaultGracePeriodMs: number;
  logger: Logger;
  /** Produces a command to invoicing's own commands topic, keyed by `key`. */
  sendCommand(key: string, command: CommandRecord): Promise<void>;
  /** How often the run looks for what time has made due. */
  intervalMs: number;
  /** The most commands one pass sends; what is left goes in the next pass, started at once. */
  maxCommandsPerPass: number;
  /** How long a sent boundary waits for its invoice before it is sent again (doubling with each attempt). */
  boundaryRetryMs: number;
  now(): Date;
}

export interface BillingRun {
  /** One pass over the subscriptions with something due now; resolves with what it did once its commands are sent. */
  runOnce(): Promise<BillingPass>;
  /** Runs a pass now rather than at the next interval (a test clock was advanced). */
  wake(): void;
  stop(): Promise<void>;
}

/** What one pass did: the commands it sent, and whether it stopped at its bound with subscriptions not reached. */
export interface BillingPass {
  commandsSent: number;
  subscriptionsDeferred: number;
}

/** What became of a subscription's next due boundary in a pass. */
type BoundaryOutcome = 'nothing_to_bill' | 'sent' | 'in_flight' | 'waiting_for_usage' | 'deferred';

/** A boundary sent and not billed yet: the command that carries it, and when to send it again. */
interface SentBoundary {
  /** Null when no command was sent: its invoice was refused before (it would cross a money bound). */
  commandId: string | null;
  attempts: number;
  firstSentAt: Date;
  retryAt: number;
}

/** The pause before the next pass while a test clock is waiting to be called ready. */
const followUpMs = 100;

/** The longest wait between two attempts at a boundary that does not bill. */
const maxRetryMs = 60 * 60_000;

/**
 * Time's work on subscriptions: start pending ones at their start date, end them at a scheduled cancellation, and
 * bill their due boundaries once metering has stored the usage they must count; then call ready every advancing
 * test clock whose customers have nothing left due. Everything it does is a command to this service's own topic,
 * keyed by subscription, and safe to send twice: a boundary's invoice id is derived from it, so only one can ever
 * be created.
 *
 * A subscription's boundaries are billed one at a time, in order: the next is sent only once the one before has its
 * invoice (the projection's `billed_through` reached it, in the invoice's own transaction), so a boundary whose
 * command was refused or dead-lettered holds the later ones back and is sent again, with backoff, until it bills.
 * A pass sends at most `maxCommandsPerPass` commands, taking tenants in turn and starting where the last left off.
 */
export function startBillingRun(deps: BillingRunDeps): BillingRun {
  const sent = new Map<string, SentBoundary>();
  // A boundary with nothing to bill (a start without in-advance fees) stays so: its plan version never changes.
  const nothingToBill = new Set<string>();
  // Meters' groupings, asked once per pass and tenant, not once per invoice.
  const groupings = new Map<string, Promise<string[]>>();
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  // The subscription the last pass sent to last: the next pass starts after it, so none waits on the bound forever.
  let resumeAfter: string | undefined;

  async function runOnce(): Promise<BillingPass & { moreSoon: boolean }> {
    // Read before the subscriptions, so a clock is only called ready for the time its subscriptions were billed at.
    const advancing = await advancingClocks(deps.db);
    await forgetBilledBoundaries(deps.db);
    groupings.clear();
    const busyClocks = new Set<string>();
    const pass = { commandsSent: 0, subscriptionsDeferred: 0 };
    const looked = new Set<string>();
    for (const due of startingAfter(await subscriptionsToBill(deps.db, deps.now(), deps.defaultGracePeriodMs))) {
      try {
        const step = await nextStep(due, pass, looked);
        if (step === 'deferred') pass.subscriptionsDeferred += 1;
        if (step !== 'settled' && due.testClockId) busyClocks.add(due.testClockId);
      } catch (error) {
        if (due.testClockId) busyClocks.add(due.testClockId);
        deps.logger.error({ err: error, subscription_id: due.subscription.id }, 'billing a subscription failed');
      }
    }
    for (const clock of advancing.filter(({ id }) => !busyClocks.has(id))) await markReady(clock);
    // Boundaries the pass did not come to again are billed (or their subscription ended): nothing to resend.
    for (const key of sent.keys()) if (!looked.has(key)) sent.delete(key);
    if (pass.subscriptionsDeferred > 0)
      deps.logger.info(
        { commands_sent: pass.commandsSent, subscriptions_deferred: pass.subscriptionsDeferred },
        'billing pass reached its bound; the next pass continues at once',
      );
    return { ...pass, moreSoon: advancing.length > 0 || busyClocks.size > 0 || pass.commandsSent > 0 };
  }

  /**
   * Whether the subscription has everything due billed (`settled`), has a command on its way or waits for usage
   * (`busy`), or has one to send that this pass has no room left for (`deferred`).
   */
  async function nextStep(
    due: SubscriptionToBill,
    pass: BillingPass,
    looked: Set<string>,
  ): Promise<'settled' | 'busy' | 'deferred'> {
    // A start or an end changes what is due: bill once the projection has it (its change wakes the run).
    const advanced = await advanceIfDue(due, pass);
    if (advanced !== 'nothing') return advanced === 'sent' ? 'busy' : 'deferred';
    const outcome = await billNextBoundary(due, pass, looked);
    if (outcome === 'nothing_to_bill') return 'settled';
    return outcome === 'deferred' ? 'deferred' : 'busy';
  }

  /** The subscriptions in pass order, starting after the one the last pass sent to last. */
  function startingAfter(subscriptions: SubscriptionToBill[]): SubscriptionToBill[] {
    const last = subscriptions.findIndex(({ subscription }) => subscription.id === resumeAfter);
    return [...subscriptions.slice(last + 1), ...subscriptions.slice(0, last + 1)];
  }

  /** Sends what is due of a pending subscription's start or a past end; `deferred` when the pass is full. */
  async function advanceIfDue(due: SubscriptionToBill, pass: BillingPass): Promise<'nothing' | 'sent' | 'deferred'> {
    const { tenant, subscription, now, customerDeletedAt } = due;
    const starts = subscription.status === 'pending' && new Date(subscription.startDate) <= now;
    const endsAt = [subscription.cancelAt ? new Date(subscription.cancelAt) : null, customerDeletedAt];
    const ends = subscription.status !== 'canceled' && endsAt.some((end) => end !== null && end <= now);
    if (!starts && !ends) return 'nothing';
    if (pass.commandsSent >= deps.maxCommandsPerPass) return 'deferred';
    await send(tenant, subscription.id, 'AdvanceSubscription', { subscription_id: subscription.id }, now);
    pass.commandsSent += 1;
    resumeAfter = subscription.id;
    return 'sent';
  }

  /**
   * The subscription's first due boundary without an invoice, sent unless it is on its way: `nothing_to_bill` when
   * everything due is billed. Boundaries with nothing to bill are passed over; the projection never records them.
   */
  async function billNextBoundary(due: SubscriptionToBill, pass: BillingPass, looked: Set<string>) {
    const { subscription, now, gracePeriodMs } = due;
    let previous = due.billedThrough;
    for (
      let boundary = nextBoundary(subscription, previous);
      boundary;
      boundary = nextBoundary(subscription, previous)
    ) {
      const billsUsage = previous !== null;
      if (now.getTime() < boundary.getTime() + (billsUsage ? gracePeriodMs : 0)) break;
      const key = `${subscription.id}|${boundary.toISOString()}`;
      looked.add(key);
      const outcome = await billBoundary(due, previous, boundary, key, pass);
      if (outcome !== 'nothing_to_bill') return outcome;
      previous = boundary;
    }
    return 'nothing_to_bill';
  }

  /** Sends the boundary's invoice, unless it has nothing to bill, is on its way, or the pass is full. */
  async function billBoundary(
    due: SubscriptionToBill,
    previous: Date | null,
    boundary: Date,
    key: string,
    pass: BillingPass,
  ): Promise<BoundaryOutcome> {
    if (nothingToBill.has(key)) return 'nothing_to_bill';
    const attempt = sent.get(key);
    if (attempt && deps.now().getTime() < attempt.retryAt) return 'in_flight';
    if (pass.commandsSent >= deps.maxCommandsPerPass) return 'deferred';
    const { tenant, subscription, now, gracePeriodMs } = due;
    const receivedBy = receivedCutoffOf(due);
    const meterGroupBy = (code: string) => groupingOf(tenant, code);
    const bill = {
      tenant,
      subscription,
      previous,
      boundary,
      usageBilledThrough: due.usageBilledThrough,
      gracePeriodMs,
      receivedBy,
      meterGroupBy,
    };
    const invoice = await boundaryInvoice(deps, bill);
    switch (invoice.status) {
      case 'waiting_for_usage':
        return 'waiting_for_usage';
      case 'nothing_to_bill':
        nothingToBill.add(key);
        return 'nothing_to_bill';
      case 'refused':
        await holdRefused(due, boundary, key, attempt, invoice.error);
        return 'in_flight';
      case 'ready': {
        if (attempt) await recordRetry(due, boundary, attempt);
        const commandId = await send(tenant, subscription.id, 'BillSubscriptionPeriod', invoice.command, now);
        const attempts = (attempt?.attempts ?? 0) + 1;
        sent.set(key, {
          commandId,
          attempts,
          firstSentAt: attempt?.firstSentAt ?? deps.now(),
          retryAt: retryAfter(attempts),
        });
        pass.commandsSent += 1;
        resumeAfter = subscription.id;
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
    due: SubscriptionToBill,
    boundary: Date,
    key: string,
    attempt: SentBoundary | undefined,
    error: ApiError,
  ): Promise<void> {
    const attempts = (attempt?.attempts ?? 0) + 1;
    const firstSentAt = attempt?.firstSentAt ?? deps.now();
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
    sent.set(key, { commandId: null, attempts, firstSentAt, retryAt: retryAfter(attempts) });
  }

  function retryAfter(attempts: number): number {
    return deps.now().getTime() + Math.min(deps.boundaryRetryMs * 2 ** (attempts - 1), maxRetryMs);
  }

  /** A boundary sent before has no invoice yet: say so (loudly), and keep it where the status read finds it. */
  async function recordRetry(due: SubscriptionToBill, boundary: Date, attempt: SentBoundary): Promise<void> {
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
   * received before the clock was advanced past it (all received so far while it has not been).
   */
  function receivedCutoffOf({ testClockId }: SubscriptionToBill): (instant: Date) => Promise<Date> {
    if (!testClockId) return async (instant) => instant;
    return async (instant) => (await receivedByClockInstant(deps.db, testClockId, instant)) ?? new Date();
  }

  function groupingOf(tenant: Tenant, meterCode: string): Promise<string[]> {
    const key = `${tenant.organizationId}|${tenant.mode}|${meterCode}`;
    let grouping = groupings.get(key);
    if (!grouping) {
      grouping = meterGroupBy(deps.metering, tenant, meterCode);
      grouping.catch(() => groupings.delete(key));
      groupings.set(key, grouping);
    }
    return grouping;
  }

  async function markReady(clock: AdvancingClock): Promise<void> {
    const data = { test_clock_id: clock.id, frozen_time: clock.frozenTime.toISOString() };
    await send(clock.tenant, clock.id, 'MarkTestClockReady', data, clock.frozenTime);
  }

  /** Resolves with the command's id once it is in the topic. */
  async function send(tenant: Tenant, key: string, type: string, data: unknown, now: Date): Promise<string> {
    const commandId = randomUUID();
    await deps.sendCommand(key, {
      type,
      data,
      metadata: {
        command_id: commandId,
        correlation_id: commandId,
        request_id: `billing-run-${commandId}`,
        organization_id: tenant.organizationId,
        mode: tenant.mode,
        issued_at: now.toISOString(),
      },
    });
    return commandId;
  }

  /** Passes never overlap: each waits for the one before. */
  function enqueue(): Promise<BillingPass & { moreSoon: boolean }> {
    const pass = running.catch(() => undefined).then(runOnce);
    running = pass.then(
      () => undefined,
      () => undefined,
    );
    return pass;
  }

  let inPass = false;
  let wakeRequested = false;

  function schedule(delayMs: number): void {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(pass, delayMs);
  }

  /**
   * A pass, then the next: at once when this one stopped at its bound, soon while a clock waits to be ready or
   * commands are on their way, else after the interval.
   */
  async function pass(): Promise<void> {
    inPass = true;
    wakeRequested = false;
    let delayMs = deps.intervalMs;
    try {
      const done = await enqueue();
      delayMs = done.subscriptionsDeferred > 0 ? 0 : done.moreSoon ? followUpMs : deps.intervalMs;
    } catch (error) {
      deps.logger.error({ err: error }, 'billing run failed');
    } finally {
      inPass = false;
    }
    schedule(wakeRequested ? 0 : delayMs);
  }
  schedule(deps.intervalMs);

  return {
    runOnce: async () => {
      const { commandsSent, subscriptionsDeferred } = await enqueue();
      return { commandsSent, subscriptionsDeferred };
    },
    wake() {
      wakeRequested = true;
      if (!inPass) schedule(0);
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running.catch(() => undefined);
    },
  };
}
