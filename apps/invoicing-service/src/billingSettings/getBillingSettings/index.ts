import {
  type BillingSettings,
  BillingSettingsEvent,
  type LowBalanceThreshold,
  type LowBalanceThresholdSetting,
} from '@afternoon/contracts/billingSettings';
import type { Projection, Queryable, Tenant } from '@afternoon/service-kit';

/** `billing_settings`: one row per organization and mode that set its own. */
export const billingSettingsProjection: Projection = {
  name: 'billing_settings',
  tables: ['billing_settings'],
  handles: ['BillingConfigured'],
  async apply(tx, stored) {
    const event = BillingSettingsEvent.parse(stored);
    await tx.query(
      `INSERT INTO billing_settings (organization_id, mode, invoice_grace_period_seconds, low_balance_thresholds,
                                     updated_at)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (organization_id, mode)
       DO UPDATE SET invoice_grace_period_seconds = $3, low_balance_thresholds = $4, updated_at = $5`,
      [
        stored.metadata.organization_id,
        stored.metadata.mode,
        event.data.invoice_grace_period_seconds,
        // Absent from events recorded before thresholds existed: none was set.
        JSON.stringify(event.data.low_balance_thresholds ?? []),
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
  const { rows } = await db.query<{
    invoice_grace_period_seconds: number;
    low_balance_thresholds: LowBalanceThresholdSetting[];
    updated_at: Date;
  }>(
    `SELECT invoice_grace_period_seconds, low_balance_thresholds, updated_at FROM billing_settings
      WHERE organization_id = $1 AND mode = $2`,
    [tenant.organizationId, tenant.mode],
  );
  const row = rows[0];
  return row
    ? {
        invoice_grace_period_seconds: row.invoice_grace_period_seconds,
        low_balance_thresholds: apiThresholds(row.low_balance_thresholds),
        updated_at: row.updated_at.toISOString(),
      }
    : {
        invoice_grace_period_seconds: defaults.invoiceGracePeriodSeconds,
        low_balance_thresholds: [],
        updated_at: null,
      };
}

/** The tenant's low-balance thresholds as rating compares balances with them (none where it set none). */
export async function lowBalanceThresholdsOf(db: Queryable, tenant: Tenant): Promise<LowBalanceThresholdSetting[]> {
  const { rows } = await db.query<{ low_balance_thresholds: LowBalanceThresholdSetting[] }>(
    'SELECT low_balance_thresholds FROM billing_settings WHERE organization_id = $1 AND mode = $2',
    [tenant.organizationId, tenant.mode],
  );
  return rows[0]?.low_balance_thresholds ?? [];
}

/** Thresholds as the API shows them: a currency's amount in whole minor units (a JSON integer). */
export function apiThresholds(thresholds: readonly LowBalanceThresholdSetting[]): LowBalanceThreshold[] {
  return thresholds.map(({ denomination, amount }) =>
    denomination.type === 'currency'
      ? { currency_code: denomination.code, amount: Number(amount) }
      : { pricing_unit_code: denomination.code, amount },
  );
}
