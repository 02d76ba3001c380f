import type { CommandContext, Tenant, Transaction } from '@afternoon/service-kit';
import { customerNow } from '../customerClock/customerClock';
import { pricingUnitNotFound } from '../pricingUnits/businessLogic';
import { getPricingUnit } from '../pricingUnits/getPricingUnits';
import { subscriptionNotFound } from '../subscriptions/businessLogic';
import { getSubscriptionRecord } from '../subscriptions/getSubscriptions';
import type { CreditGrantCommand, SentCreditGrantCommand } from './businessLogic';
import { lockedRemainder } from './getCreditGrants';

/**
 * Brings `decide` what lives outside the grant's stream, at the customer's now (its test clock's, on one): for a new
 * grant, its subscription's customer and status, and that a pricing unit it is denominated in exists; for a void
 * or an expiry, what the ledger says remains, its row locked so no draw slips in before the event is recorded.
 */
export async function enrichCreditGrantCommand(
  tx: Transaction,
  command: SentCreditGrantCommand,
  _context: CommandContext,
): Promise<CreditGrantCommand> {
  const tenant: Tenant = { organizationId: command.metadata.organization_id, mode: command.metadata.mode };
  const atCustomerNow = async (customerId: string) => {
    const now = await customerNow(tx, tenant, customerId, new Date(command.metadata.issued_at));
    return { ...command.metadata, issued_at: now.toISOString() };
  };
  const closing = async (grantId: string) => {
    const ledger = await lockedRemainder(tx, tenant, grantId);
    const metadata = ledger ? await atCustomerNow(ledger.customerId) : command.metadata;
    return { remaining: ledger?.remaining ?? null, metadata };
  };
  if (command.type === 'VoidCreditGrant') {
    const { remaining, metadata } = await closing(command.data.grant_id);
    return { ...command, data: { ...command.data, remaining }, metadata };
  }
  if (command.type === 'ExpireCreditGrant') {
    const { remaining, metadata } = await closing(command.data.grant_id);
    return { ...command, data: { ...command.data, remaining }, metadata };
  }
  const subscription = await getSubscriptionRecord(tx, tenant, command.data.subscription_id);
  if (!subscription) throw subscriptionNotFound(command.data.subscription_id);
  const { denomination } = command.data;
  if (denomination.type === 'pricing_unit' && !(await getPricingUnit(tx, tenant, denomination.code)))
    throw pricingUnitNotFound(denomination.code, 'pricing_unit_code');
  const metadata = await atCustomerNow(subscription.customerId);
  const data = {
    ...command.data,
    customer_id: subscription.customerId,
    effective_at: command.data.effective_at ?? metadata.issued_at,
    subscription_status: subscription.status,
  };
  return { ...command, data, metadata };
}
