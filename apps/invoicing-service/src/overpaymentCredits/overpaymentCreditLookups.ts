import type { Invoice } from '@afternoon/contracts/invoices';
import type { Queryable, Tenant } from '@afternoon/service-kit';

/**
 * The subscription an invoice's overpayment is credited on: the invoice's own while it runs, otherwise the customer's
 * newest one not canceled (a one-off invoice's customer may have one); undefined when the customer has none.
 */
export async function creditedSubscription(
  db: Queryable,
  tenant: Tenant,
  invoice: Invoice,
): Promise<string | undefined> {
  const { rows } = await db.query<{ id: string }>(
    `SELECT id FROM subscriptions
      WHERE organization_id = $1 AND mode = $2 AND customer_id = $3 AND status <> 'canceled'
      ORDER BY id = $4 DESC, created_at DESC, id DESC LIMIT 1`,
    [tenant.organizationId, tenant.mode, invoice.customer_id, invoice.subscription_id ?? ''],
  );
  return rows[0]?.id;
}

export interface OverpaymentCredit {
  grants: { id: string; subscriptionId: string }[];
  /** What the ledger says remains of them, in minor units. */
  unusedCents: number;
}

/** The payment's overpayment grants still active, their rows locked so no draw slips in before they are voided. */
export async function activeOverpaymentCredit(
  db: Queryable,
  tenant: Tenant,
  paymentId: string,
): Promise<OverpaymentCredit> {
  const { rows } = await db.query<{ id: string; subscription_id: string; remaining: string }>(
    `SELECT id, subscription_id, (amount - consumed - expired - voided)::text AS remaining FROM credit_grants
      WHERE organization_id = $1 AND mode = $2 AND status = 'active' AND metadata @> $3::jsonb
      ORDER BY created_at, id FOR UPDATE`,
    [tenant.organizationId, tenant.mode, JSON.stringify({ source: 'overpayment', payment_id: paymentId })],
  );
  return {
    grants: rows.map((row) => ({ id: row.id, subscriptionId: row.subscription_id })),
    // Currency grants hold whole minor units.
    unusedCents: rows.reduce((sum, row) => sum + Number(row.remaining), 0),
  };
}
