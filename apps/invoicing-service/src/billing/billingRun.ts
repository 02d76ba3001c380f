import { randomUUID } from 'node:crypto';
import type { CommandRecord } from '@afternoon/contracts/messaging';
import type { Logger, Tenant } from '@afternoon/service-kit';
import { nextBoundary } from '../subscriptions/billingBoundaries';
import { type AdvancingClock, advancingClocks, receivedByClockInstant } from '../testClocks/getTestClocks';
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
  now(): Date;
}

export interface BillingRun {
  /** One pass over every subscription with something due now; resolves when its commands are sent. */
  runOnce(): Promise<void>;
  /** Runs a pass now rather than at the next interval (a test clock was advanced). */
  wake(): void;
  stop(): Promise<void>;
}

/** What became of one due boundary in a pass; `usageCutoff` is the received-at cutoff its invoice bills up to. */
interface BoundaryOutcome {
  status: 'nothing_to_bill' | 'in_flight' | 'waiting_for_usage';
  usageCutoff: Date | null;
}

/** The pause before the next pass while a test clock is waiting to be called ready. */
const followUpMs = 100;

/** A boundary already sent is not built again for this long, while its invoice is on its way to the projection. */
const resendAfterMs = 60_000;

/**
 * Time's work on subscriptions: start pending ones at their start date, end them at a scheduled cancellation, and
 * bill every boundary that is due, oldest first, once metering has stored the usage it must count; then call ready
 * every advancing test clock whose customers have nothing left due. Everything it does is a command to this
 * service's own topic, keyed by subscription (so a subscription's commands keep their order), and safe to send
 * twice: a boundary's invoice id is derived from it, so only one can ever be created.
 */
export function startBillingRun(deps: BillingRunDeps): BillingRun {
  const sent = new Map<string, { at: number; usageCutoff: Date | null }>();
  // A boundary with nothing to bill (a start without in-advance fees) stays so: its plan version never changes.
  const nothingToBill = new Set<string>();
  // Meters' groupings, asked once per pass and tenant, not once per invoice.
  const groupings = new Map<string, Promise<string[]>>();
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  async function runOnce(): Promise<boolean> {
    // Read before the subscriptions, so a clock is only called ready for the time its subscriptions were billed at.
    const advancing = await advancingClocks(deps.db);
    groupings.clear();
    const busyClocks = new Set<string>();
    for (const due of await subscriptionsToBill(deps.db, deps.now(), deps.defaultGracePeriodMs)) {
      try {
        // A start or an end changes what is due: bill once the projection has it (its change wakes the run).
        const advanced = await advanceIfDue(due);
        const settled = advanced ? false : await billDueBoundaries(due);
        if ((advanced || !settled) && due.testClockId) busyClocks.add(due.testClockId);
      } catch (error) {
        if (due.testClockId) busyClocks.add(due.testClockId);
        deps.logger.error({ err: error, subscription_id: due.subscription.id }, 'billing a subscription failed');
      }
    }
    for (const clock of advancing.filter(({ id }) => !busyClocks.has(id))) await markReady(clock);
    for (const [key, { at }] of sent) if (Date.now() - at > resendAfterMs) sent.delete(key);
    return advancing.length > 0 || busyClocks.size > 0;
  }

  /** Whether it sent anything: a pending subscription whose start has come, or an end that is past. */
  async function advanceIfDue({ tenant, subscription, now, customerDeletedAt }: SubscriptionToBill): Promise<boolean> {
    const starts = subscription.status === 'pending' && new Date(subscription.startDate) <= now;
    const endsAt = [subscription.cancelAt ? new Date(subscription.cancelAt) : null, customerDeletedAt];
    const ends = subscription.status !== 'canceled' && endsAt.some((end) => end !== null && end <= now);
    if (!starts && !ends) return false;
    await send(tenant, subscription.id, 'AdvanceSubscription', { subscription_id: subscription.id }, now);
    return true;
  }

  /** Whether everything due is billed already (nothing sent, in flight or waiting for usage). */
  async function billDueBoundaries(due: SubscriptionToBill): Promise<boolean> {
    const { subscription, now, gracePeriodMs } = due;
    let previous = due.billedThrough;
    let usageBilledThrough = due.usageBilledThrough;
    let settled = true;
    for (
      let boundary = nextBoundary(subscription, previous);
      boundary;
      boundary = nextBoundary(subscription, previous)
    ) {
      const billsUsage = previous !== null;
      if (now.getTime() < boundary.getTime() + (billsUsage ? gracePeriodMs : 0)) break;
      const outcome = await billBoundary(due, previous, boundary, usageBilledThrough);
      if (outcome.status === 'waiting_for_usage') return false;
      if (outcome.status === 'in_flight') settled = false;
      usageBilledThrough = outcome.usageCutoff ?? usageBilledThrough;
      previous = boundary;
    }
    return settled;
  }

  /** Sends the boundary's invoice, unless it has nothing to bill or was sent a moment ago. */
  async function billBoundary(
    due: SubscriptionToBill,
    previous: Date | null,
    boundary: Date,
    usageBilledThrough: Date | null,
  ): Promise<BoundaryOutcome> {
    const key = `${due.subscription.id}|${boundary.toISOString()}`;
    if (nothingToBill.has(key)) return { status: 'nothing_to_bill', usageCutoff: null };
    const already = sent.get(key);
    if (already) return { status: 'in_flight', usageCutoff: already.usageCutoff };
    const { tenant, subscription, now, gracePeriodMs } = due;
    const receivedBy = receivedCutoffOf(due);
    const meterGroupBy = (code: string) => groupingOf(tenant, code);
    const bill = {
      tenant,
      subscription,
      previous,
      boundary,
      usageBilledThrough,
      gracePeriodMs,
      receivedBy,
      meterGroupBy,
    };
    const invoice = await boundaryInvoice(deps, bill);
    switch (invoice.status) {
      case 'waiting_for_usage':
        return { status: 'waiting_for_usage', usageCutoff: null };
      case 'nothing_to_bill':
        nothingToBill.add(key);
        return { status: 'nothing_to_bill', usageCutoff: null };
      case 'ready':
        await send(tenant, subscription.id, 'BillSubscriptionPeriod', invoice.command, now);
        sent.set(key, { at: Date.now(), usageCutoff: invoice.usageCutoff });
        return { status: 'in_flight', usageCutoff: invoice.usageCutoff };
      default: {
        const unknown: never = invoice;
        return unknown;
      }
    }
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
      grouping = meterGroupBy(deps.meteringServiceUrl, tenant, meterCode);
      grouping.catch(() => groupings.delete(key));
      groupings.set(key, grouping);
    }
    return grouping;
  }

  async function markReady(clock: AdvancingClock): Promise<void> {
    const data = { test_clock_id: clock.id, frozen_time: clock.frozenTime.toISOString() };
    await send(clock.tenant, clock.id, 'MarkTestClockReady', data, clock.frozenTime);
  }

  function send(tenant: Tenant, key: string, type: string, data: unknown, now: Date) {
    const commandId = randomUUID();
    return deps.sendCommand(key, {
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
  }

  /** Passes never overlap: each waits for the one before. Resolves with whether more is due soon. */
  function enqueue(): Promise<boolean> {
    const pass = running.catch(() => false).then(runOnce);
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

  /** A pass, then the next: soon while a clock waits to be ready or commands were just sent, else after the interval. */
  async function pass(): Promise<void> {
    inPass = true;
    wakeRequested = false;
    let moreSoon = false;
    try {
      moreSoon = await enqueue();
    } catch (error) {
      deps.logger.error({ err: error }, 'billing run failed');
    } finally {
      inPass = false;
    }
    schedule(wakeRequested ? 0 : moreSoon ? followUpMs : deps.intervalMs);
  }
  schedule(deps.intervalMs);

  return {
    runOnce: async () => {
      await enqueue();
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
