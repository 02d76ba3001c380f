import { z } from 'zod';

const day = 24 * 60 * 60;

/** How long after a period ends its late usage is still billed with it: up to 30 days; 0 bills at the period end. */
export const InvoiceGracePeriodSeconds = z
  .number()
  .int()
  .min(0)
  .max(30 * day);

/** An organization's billing settings (per mode, as everything else); defaults apply until it sets them. */
export const BillingSettings = z.object({
  invoice_grace_period_seconds: InvoiceGracePeriodSeconds,
  updated_at: z.iso.datetime().nullable(),
});
export type BillingSettings = z.infer<typeof BillingSettings>;

/** `GET /billing-settings` (internal). */
export const BillingSettingsAnswer = z.object({ billing_settings: BillingSettings });
export type BillingSettingsAnswer = z.infer<typeof BillingSettingsAnswer>;

/** `PATCH /v1/billing_settings`. */
export const UpdateBillingSettingsBody = z.strictObject({ invoice_grace_period_seconds: InvoiceGracePeriodSeconds });
export type UpdateBillingSettingsBody = z.infer<typeof UpdateBillingSettingsBody>;

// Command and event (on `invoice.commands` / `invoice.events`): one stream per organization and mode

export const ConfigureBilling = z.object({
  type: z.literal('ConfigureBilling'),
  data: z.object({ invoice_grace_period_seconds: InvoiceGracePeriodSeconds }),
});
export type ConfigureBilling = z.infer<typeof ConfigureBilling>;

export const BillingSettingsCommand = z.discriminatedUnion('type', [ConfigureBilling]);
export type BillingSettingsCommand = z.infer<typeof BillingSettingsCommand>;

export const BillingConfigured = z.object({
  type: z.literal('BillingConfigured'),
  data: z.object({ invoice_grace_period_seconds: InvoiceGracePeriodSeconds, configured_at: z.iso.datetime() }),
});
export type BillingConfigured = z.infer<typeof BillingConfigured>;

export const BillingSettingsEvent = z.discriminatedUnion('type', [BillingConfigured]);
export type BillingSettingsEvent = z.infer<typeof BillingSettingsEvent>;

export const billingSettingsEventWireNames = {
  BillingConfigured: 'afternoon.invoicing.v1.billing_configured',
} as const satisfies Record<BillingSettingsEvent['type'], string>;
