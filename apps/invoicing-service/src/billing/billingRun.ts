import { randomUUID } from 'node:crypto';
import type { CommandRecord } from '@afternoon/contracts/messaging';
import type { Logger, Tenant } from '@afternoon/service-kit';
import { nextBoundary } from '../subscriptions/billingBoundaries';
import type { SubscriptionRecord } from '../subscriptions/subscription';
import { type BoundaryInvoiceDeps, boundaryInvoice } from './boundaryInvoice';
import { type SubscriptionToBill, subscriptionsToBill } from './subscriptionsToBill';

export interface BillingRunDeps extends BoundaryInvoiceDeps {
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
  stop(): Promise<void>;
}

/** A boundary already sent is not built again for this long, while its invoice is on its way to the projection. */
const resendAfterMs = 60_000;

/**
 * Time's work on subscriptions: start pending ones at their start date, end them at a scheduled cancellation, and
 * bill every boundary that is due, oldest first, once metering has stored the usage it must count. Everything it
 * does is a command to this service's own topic, keyed by subscription (so a subscription's commands keep their
 * order), and safe to send twice: a boundary's invoice id is derived from it, so only one can ever be created.
 */
export function startBillingRun(deps: BillingRunDeps): BillingRun {
  const sent = new Map<string, { at: number; usageCutoff: Date | null }>();
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  async function runOnce(): Promise<void> {
    const now = deps.now();
    for (const due of await subscriptionsToBill(deps.db, now)) {
      try {
        await advanceIfDue(due, now);
        await billDueBoundaries(due, now);
      } catch (error) {
        deps.logger.error({ err: error, subscription_id: due.subscription.id }, 'billing a subscription failed');
      }
    }
    for (const [key, { at }] of sent) if (Date.now() - at > resendAfterMs) sent.delete(key);
  }

  async function advanceIfDue({ tenant, subscription }: SubscriptionToBill, now: Date): Promise<void> {
    const starts = subscription.status === 'pending' && new Date(subscription.startDate) <= now;
    const ends =
      subscription.status !== 'canceled' && subscription.cancelAt !== null && new Date(subscription.cancelAt) <= now;
    if (starts || ends)
      await send(tenant, subscription, 'AdvanceSubscription', { subscription_id: subscription.id }, now);
  }

  async function billDueBoundaries(due: SubscriptionToBill, now: Date): Promise<void> {
    const { tenant, subscription } = due;
    let previous = due.billedThrough;
    let usageBilledThrough = due.usageBilledThrough;
    for (
      let boundary = nextBoundary(subscription, previous);
      boundary;
      boundary = nextBoundary(subscription, previous)
    ) {
      const billsUsage = previous !== null;
      if (now.getTime() < boundary.getTime() + (billsUsage ? deps.gracePeriodMs : 0)) return;
      const key = `${subscription.id}|${boundary.toISOString()}`;
      const already = sent.get(key);
      if (already) {
        usageBilledThrough = already.usageCutoff ?? usageBilledThrough;
      } else {
        const invoice = await boundaryInvoice(deps, { tenant, subscription, previous, boundary, usageBilledThrough });
        if (invoice.status === 'waiting_for_usage') return;
        if (invoice.status === 'ready') {
          await send(tenant, subscription, 'BillSubscriptionPeriod', invoice.command, now);
          sent.set(key, { at: Date.now(), usageCutoff: invoice.usageCutoff });
          usageBilledThrough = invoice.usageCutoff ?? usageBilledThrough;
        }
      }
      previous = boundary;
    }
  }

  function send(tenant: Tenant, subscription: SubscriptionRecord, type: string, data: unknown, now: Date) {
    const commandId = randomUUID();
    return deps.sendCommand(subscription.id, {
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

  /** Runs never overlap: each waits for the one before. */
  function enqueue(): Promise<void> {
    running = running.catch(() => undefined).then(runOnce);
    return running;
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      enqueue()
        .catch((error) => deps.logger.error({ err: error }, 'billing run failed'))
        .finally(schedule);
    }, deps.intervalMs);
  }
  schedule();

  return {
    runOnce: enqueue,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running.catch(() => undefined);
    },
  };
}
