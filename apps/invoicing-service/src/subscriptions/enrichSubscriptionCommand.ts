import { SubscriptionEvent, type SubscriptionTerms } from '@afternoon/contracts/subscriptions';
import { type CommandContext, readStream, type Tenant, type Transaction } from '@afternoon/service-kit';
import { customerNow } from '../customerClock/customerClock';
import { customerDeletedAt, knownCustomer } from '../customers/knownCustomers';
import type { SentSubscriptionCommand, SubscriptionCommand } from './businessLogic';
import { findSubscriptionLineage, type SubscriptionLineage } from './getSubscriptions';
import { subscribablePlan } from './subscribedPlans';
import { subscriptionStream } from './subscription';

/**
 * Brings `decide` what lives outside the stream: the customer must be known to invoicing, the plan's current
 * version and interval, and for a subscription a plan change made, the terms it started with.
 */
export async function enrichSubscriptionCommand(
  tx: Transaction,
  command: SentSubscriptionCommand,
  context: CommandContext,
): Promise<SubscriptionCommand> {
  const tenant: Tenant = { organizationId: command.metadata.organization_id, mode: command.metadata.mode };
  if (command.type === 'CreateSubscription') {
    await knownCustomer(tx, tenant, command.data.customer_id, context);
    const plan = await subscribablePlan(tx, tenant, command.data.plan_code, 'plan_code');
    return onCustomerClock(tx, tenant, command.data.customer_id, { ...command, data: { ...command.data, plan } });
  }
  const lineage = await findSubscriptionLineage(tx, tenant, command.data.subscription_id);
  const enriched = await enrichChange(tx, tenant, command, lineage, context);
  return lineage ? onCustomerClock(tx, tenant, lineage.customerId, enriched) : enriched;
}

/** For a customer on a test clock, the command happens at the clock's time: "now" is the clock's everywhere. */
async function onCustomerClock<C extends SubscriptionCommand>(
  tx: Transaction,
  tenant: Tenant,
  customerId: string,
  command: C,
): Promise<C> {
  const now = await customerNow(tx, tenant, customerId, new Date(command.metadata.issued_at));
  return { ...command, metadata: { ...command.metadata, issued_at: now.toISOString() } };
}

async function enrichChange(
  tx: Transaction,
  tenant: Tenant,
  command: Exclude<SentSubscriptionCommand, { type: 'CreateSubscription' }>,
  lineage: SubscriptionLineage | undefined,
  context: CommandContext,
): Promise<SubscriptionCommand> {
  const origin = lineage?.previousSubscriptionId
    ? await originOf(tx, tenant, command.data.subscription_id, lineage.previousSubscriptionId)
    : null;
  switch (command.type) {
    case 'UpdateSubscription':
      return { ...command, data: { ...command.data, origin } };
    case 'CancelSubscription':
      return { ...command, data: { ...command.data, origin } };
    case 'AdvanceSubscription': {
      const deletedAt = lineage ? await customerDeletedAt(tx, tenant, lineage.customerId) : undefined;
      return { ...command, data: { ...command.data, origin, customer_deleted_at: deletedAt ?? null } };
    }
    case 'ChangeSubscriptionPlan': {
      if (lineage) await knownCustomer(tx, tenant, lineage.customerId, context);
      const target_plan = await subscribablePlan(tx, tenant, command.data.target_plan_code, 'target_plan_code');
      return { ...command, data: { ...command.data, origin, target_plan } };
    }
    default: {
      const unknown: never = command;
      return unknown;
    }
  }
}

/** The terms a plan change of `previousId` started `id` with, as recorded on the previous subscription's stream. */
async function originOf(
  tx: Transaction,
  tenant: Tenant,
  id: string,
  previousId: string,
): Promise<SubscriptionTerms | null> {
  for (const stored of await readStream(tx, subscriptionStream(previousId), tenant)) {
    const event = SubscriptionEvent.parse(stored);
    if (event.type === 'SubscriptionPlanChanged' && event.data.new_subscription.subscription_id === id)
      return event.data.new_subscription;
  }
  return null;
}
