import { randomUUID } from 'node:crypto';
import type { BillSubscriptionPeriod, RecordInvoiceChargeAttempt } from '@afternoon/contracts/invoices';
import type { CommandMetadata } from '@afternoon/contracts/messaging';
import type { AdvanceSubscription } from '@afternoon/contracts/subscriptions';
import type { MarkTestClockReady } from '@afternoon/contracts/testClocks';
import type { Tenant } from '@afternoon/service-kit';
import type { AdvancingClock } from '../customerClock/customerClock';

/** A command the billing run sends to invoicing's own commands topic, typed by its contract. */
export type BillingRunCommand = (
  | AdvanceSubscription
  | BillSubscriptionPeriod
  | MarkTestClockReady
  | RecordInvoiceChargeAttempt
) & {
  metadata: CommandMetadata;
};

/** The command that creates and finalizes a boundary's invoice. */
export type BillSubscriptionPeriodCommand = Extract<BillingRunCommand, { type: 'BillSubscriptionPeriod' }>;

/** A command and the aggregate id it is keyed by on the topic. */
export interface KeyedCommand {
  key: string;
  command: BillingRunCommand;
}

/** Starts a pending subscription or ends one whose end has come, at the subscription's "now". */
export function advanceSubscription(tenant: Tenant, subscriptionId: string, now: Date): KeyedCommand {
  const data = { subscription_id: subscriptionId };
  return { key: subscriptionId, command: { type: 'AdvanceSubscription', data, metadata: metadata(tenant, now) } };
}

/** Creates and finalizes the invoice of a subscription's boundary. */
export function billSubscriptionPeriod(
  tenant: Tenant,
  data: BillSubscriptionPeriod['data'],
  now: Date,
): KeyedCommand & { command: BillSubscriptionPeriodCommand } {
  const key = data.billing.subscription_id;
  return { key, command: { type: 'BillSubscriptionPeriod', data, metadata: metadata(tenant, now) } };
}

/** Records an off-session charge's outcome on its invoice (dated by the customer's clock when invoicing applies it). */
export function recordChargeAttempt(tenant: Tenant, data: RecordInvoiceChargeAttempt['data'], now: Date): KeyedCommand {
  return {
    key: data.invoice_id,
    command: { type: 'RecordInvoiceChargeAttempt', data, metadata: metadata(tenant, now) },
  };
}

/** Calls the clock ready: nothing is left due for its customers at its frozen time. */
export function markTestClockReady(clock: AdvancingClock): KeyedCommand {
  const data = { test_clock_id: clock.id, frozen_time: clock.frozenTime.toISOString() };
  const command: BillingRunCommand = {
    type: 'MarkTestClockReady',
    data,
    metadata: metadata(clock.tenant, clock.frozenTime),
  };
  return { key: clock.id, command };
}

/** A fresh command id, which is also its correlation id: nobody waits on the reply. */
function metadata(tenant: Tenant, issuedAt: Date): CommandMetadata {
  const commandId = randomUUID();
  return {
    command_id: commandId,
    correlation_id: commandId,
    request_id: `billing-run-${commandId}`,
    organization_id: tenant.organizationId,
    mode: tenant.mode,
    issued_at: issuedAt.toISOString(),
  };
}
