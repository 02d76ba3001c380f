import { type BillingSettings, BillingSettingsEvent } from '@afternoon/contracts/billingSettings';
import type { Projection, Queryable, Tenant } from '@afternoon/service-kit';

/** `billing_settings`: one row per organization and mode that set its own. */
export const billingSettingsProjection: Projection = {
  name: 'billing_settings',
  tables: ['billing_settings'],
  handles: ['BillingConfigured'],
  async apply(tx, stored) {
    const event = BillingSettingsEvent.parse(stored);
    await tx.query(
      `INSERT INTO billing_settings (organization_id, mode, invoice_grace_period_seconds, updated_at)
       VALUES ($1, $2, $3, $4)
       ON CONFLICT (organization_id, mode) DO UPDATE SET invoice_grace_period_seconds = $3, updated_at = $4`,
      [
        stored.metadata.organization_id,
        stored.metadata.mode,
        event.data.invoice_grace_period_seconds,
        event.data.configured_at,
      ],
    );
  },
};

/** The tenant's settings, or the defaults given where it has set none. */
export async function getBillingSettings(
  db: Queryable,
  tenant: Tenant,
  defaults: { invoiceGracePeriodSeconds: number },
): Promise<BillingSettings> {
  const { rows } = await db.query<{ invoice_grace_period_seconds: number; updated_at: Date }>(
    'SELECT invoice_grace_period_seconds, updated_at FROM billing_settings WHERE organization_id = $1 AND mode = $2',
    [tenant.organizationId, tenant.mode],
  );
  const row = rows[0];
  return row
    ? { invoice_grace_period_seconds: row.invoice_grace_period_seconds, updated_at: row.updated_at.toISOString() }
    : { invoice_grace_period_seconds: defaults.invoiceGracePeriodSeconds, updated_at: null };
}
