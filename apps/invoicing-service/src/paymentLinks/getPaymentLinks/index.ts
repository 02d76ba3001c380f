import { type CustomerPaymentProvider, PaymentLinkEvent } from '@afternoon/contracts/paymentLinks';
import type { Projection, Queryable, Tenant } from '@afternoon/service-kit';

/** `customer_payment_links`: one row per customer linked to a provider; unlinking deletes it. */
export const paymentLinksProjection: Projection = {
  name: 'customer_payment_links',
  tables: ['customer_payment_links'],
  handles: PaymentLinkEvent.options.map((option) => option.shape.type.value),
  async apply(tx, stored) {
    const event = PaymentLinkEvent.parse(stored);
    const { customer_id } = event.data;
    if (event.type === 'CustomerPaymentProviderUnlinked') {
      await tx.query('DELETE FROM customer_payment_links WHERE customer_id = $1', [customer_id]);
      return;
    }
    const { data } = event;
    await tx.query(
      `INSERT INTO customer_payment_links (customer_id, organization_id, mode, provider, stripe_customer_id,
         default_payment_method_id, source, linked_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (customer_id) DO UPDATE SET provider = $4, stripe_customer_id = $5, default_payment_method_id = $6,
         source = $7, linked_at = $8`,
      [
        customer_id,
        stored.metadata.organization_id,
        stored.metadata.mode,
        data.provider,
        data.stripe_customer_id,
        data.default_payment_method_id,
        data.source,
        data.occurred_at,
      ],
    );
  },
};

/** The customer's link as the API shows it, or null while they have none. */
export async function getCustomerPaymentProvider(
  db: Queryable,
  tenant: Tenant,
  customerId: string,
): Promise<CustomerPaymentProvider | null> {
  const { rows } = await db.query<{
    stripe_customer_id: string;
    default_payment_method_id: string | null;
    source: CustomerPaymentProvider['source'];
    linked_at: Date;
  }>(
    `SELECT stripe_customer_id, default_payment_method_id, source, linked_at FROM customer_payment_links
      WHERE customer_id = $1 AND organization_id = $2 AND mode = $3`,
    [customerId, tenant.organizationId, tenant.mode],
  );
  const row = rows[0];
  if (!row) return null;
  return {
    provider: 'stripe',
    stripe_customer_id: row.stripe_customer_id,
    default_payment_method_id: row.default_payment_method_id,
    source: row.source,
    linked_at: row.linked_at.toISOString(),
  };
}
