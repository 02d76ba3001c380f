import type { Tenant } from '@afternoon/service-kit';
import { type ChargeProviders, chargeIdempotencyKey, chargeInvoice } from '../payments/autoCharge/chargeInvoice';
import { dueCharges } from '../payments/autoCharge/dueCharges';
import { recordChargeAttempt } from './billingCommands';
import type { BillingPassDeps, BillingRunMemory, PassProgress } from './billingRunMemory';

/**
 * Charges the `charge_automatically` invoices whose next attempt is due and sends each outcome as a command to the
 * invoice. A charge sent is not made again until `boundaryRetryMs` later (its outcome is on its way); made again,
 * it has the same idempotency key, so Stripe answers with the same PaymentIntent. A due charge keeps its customer's
 * test clock busy, so advancing a clock past a retry answers once the retry is recorded.
 */
export async function chargeDueInvoices(
  deps: BillingPassDeps & { charges: ChargeProviders },
  memory: BillingRunMemory,
  pass: PassProgress,
): Promise<void> {
  const now = deps.now();
  const looked = new Set<string>();
  for (const due of await dueCharges(deps.db, now, deps.maxCommandsPerPass)) {
    if (due.testClockId) pass.busyClocks.add(due.testClockId);
    const key = chargeIdempotencyKey(due.invoice.id, due.attempt);
    looked.add(key);
    const retryAt = memory.chargesSent.get(key);
    if (retryAt !== undefined && now.getTime() < retryAt) continue;
    if (pass.commandsSent >= deps.maxCommandsPerPass) {
      // Past the pass's bound: the next pass follows at once and charges it.
      pass.subscriptionsDeferred += 1;
      continue;
    }
    try {
      const provider = deps.charges.providerFor(due.tenant, due.stripe);
      const data = await chargeInvoice(provider, due);
      await deps.send(recordChargeAttempt(due.tenant, data, now));
      memory.chargesSent.set(key, now.getTime() + deps.boundaryRetryMs);
      pass.commandsSent += 1;
    } catch (error) {
      deps.logger.error({ err: error, invoice_id: due.invoice.id, ...tenantFields(due.tenant) }, 'charging failed');
    }
  }
  for (const key of memory.chargesSent.keys()) if (!looked.has(key)) memory.chargesSent.delete(key);
}

const tenantFields = (tenant: Tenant) => ({ organization_id: tenant.organizationId, mode: tenant.mode });
