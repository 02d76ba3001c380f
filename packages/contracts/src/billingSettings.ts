import { z } from 'zod';
import { Denomination, GrantAmountInput, SignedDecimal } from './credits';
import { Currency } from './currencies';
import { PricingUnitCode } from './pricingUnits';

const day = 24 * 60 * 60;

/** How long after a period ends its late usage is still billed with it: up to 30 days; 0 bills at the period end. */
export const InvoiceGracePeriodSeconds = z
  .number()
  .int()
  .min(0)
  .max(30 * day);

/** The most low-balance thresholds one organization and mode may set: one per denomination. */
export const maxLowBalanceThresholds = 50;

/**
 * A low-balance threshold as the API takes it: exactly one of `currency_code` (the amount in whole minor units) and
 * `pricing_unit_code` (the amount an exact decimal). A customer's balance in it falling below `amount` is announced
 * as `balance.low`; reaching zero as `balance.depleted`.
 */
export const LowBalanceThresholdInput = z
  .strictObject({
    currency_code: Currency.optional(),
    pricing_unit_code: PricingUnitCode.optional(),
    amount: GrantAmountInput,
  })
  .superRefine((threshold, context) => {
    if (threshold.currency_code !== undefined && threshold.pricing_unit_code !== undefined)
      context.addIssue({
        code: 'custom',
        path: ['currency_code'],
        message: 'give either currency_code or pricing_unit_code, not both',
      });
    if (threshold.currency_code === undefined && threshold.pricing_unit_code === undefined)
      context.addIssue({
        code: 'custom',
        path: ['pricing_unit_code'],
        message: 'is required: give pricing_unit_code or currency_code',
      });
    if (threshold.currency_code !== undefined && threshold.amount.includes('.'))
      context.addIssue({
        code: 'custom',
        path: ['amount'],
        message: 'must be a whole number of the currency minor unit (cents) for a currency threshold',
      });
  });
export type LowBalanceThresholdInput = z.infer<typeof LowBalanceThresholdInput>;

/** The list `PATCH /v1/billing_settings` takes: at most one threshold per denomination, at most 50. */
export const LowBalanceThresholdsInput = z
  .array(LowBalanceThresholdInput)
  .max(maxLowBalanceThresholds)
  .superRefine((thresholds, context) => {
    const seen = new Set<string>();
    thresholds.forEach((threshold, index) => {
      const field = threshold.currency_code !== undefined ? 'currency_code' : 'pricing_unit_code';
      const name = `${field}:${threshold[field]}`;
      if (seen.has(name))
        context.addIssue({
          code: 'custom',
          path: [index, field],
          message: `names a denomination an earlier threshold already sets (at most one per ${field})`,
        });
      seen.add(name);
    });
  });

/** A low-balance threshold as the API shows it: a currency's in whole minor units, a pricing unit's a decimal. */
export const LowBalanceThreshold = z.union([
  z.object({ currency_code: z.string(), amount: z.number().int() }),
  z.object({ pricing_unit_code: z.string(), amount: SignedDecimal }),
]);
export type LowBalanceThreshold = z.infer<typeof LowBalanceThreshold>;

/** A low-balance threshold as commands, events and rating hold it: its denomination and an exact decimal amount. */
export const LowBalanceThresholdSetting = z.object({ denomination: Denomination, amount: SignedDecimal });
export type LowBalanceThresholdSetting = z.infer<typeof LowBalanceThresholdSetting>;

/** An organization's billing settings (per mode, as everything else); defaults apply until it sets them. */
export const BillingSettings = z.object({
  invoice_grace_period_seconds: InvoiceGracePeriodSeconds,
  low_balance_thresholds: z.array(LowBalanceThreshold),
  updated_at: z.iso.datetime().nullable(),
});
export type BillingSettings = z.infer<typeof BillingSettings>;

/** `GET /billing-settings` (internal). */
export const BillingSettingsAnswer = z.object({ billing_settings: BillingSettings });
export type BillingSettingsAnswer = z.infer<typeof BillingSettingsAnswer>;

/** `PATCH /v1/billing_settings`: either setting or both; one left out keeps its value. */
export const UpdateBillingSettingsBody = z
  .strictObject({
    invoice_grace_period_seconds: InvoiceGracePeriodSeconds.optional(),
    /** The full list after the change (`[]` removes every threshold). */
    low_balance_thresholds: LowBalanceThresholdsInput.optional(),
  })
  .superRefine((body, context) => {
    if (body.invoice_grace_period_seconds === undefined && body.low_balance_thresholds === undefined)
      context.addIssue({
        code: 'custom',
        path: ['invoice_grace_period_seconds'],
        message: 'is required: give invoice_grace_period_seconds, low_balance_thresholds or both',
      });
  });
export type UpdateBillingSettingsBody = z.infer<typeof UpdateBillingSettingsBody>;

// Command and event (on `invoice.commands` / `invoice.events`): one stream per organization and mode

/** Either setting or both; invoicing keeps the current value of one left out. */
export const ConfigureBilling = z.object({
  type: z.literal('ConfigureBilling'),
  data: z.object({
    invoice_grace_period_seconds: InvoiceGracePeriodSeconds.optional(),
    low_balance_thresholds: z.array(LowBalanceThresholdSetting).max(maxLowBalanceThresholds).optional(),
  }),
});
export type ConfigureBilling = z.infer<typeof ConfigureBilling>;

export const BillingSettingsCommand = z.discriminatedUnion('type', [ConfigureBilling]);
export type BillingSettingsCommand = z.infer<typeof BillingSettingsCommand>;

/**
 * The full settings after the change. `low_balance_thresholds` is absent only from events recorded before
 * thresholds existed, which read as `[]` (none was set then).
 */
export const BillingConfigured = z.object({
  type: z.literal('BillingConfigured'),
  data: z.object({
    invoice_grace_period_seconds: InvoiceGracePeriodSeconds,
    low_balance_thresholds: z.array(LowBalanceThresholdSetting).optional(),
    configured_at: z.iso.datetime(),
  }),
});
export type BillingConfigured = z.infer<typeof BillingConfigured>;

export const BillingSettingsEvent = z.discriminatedUnion('type', [BillingConfigured]);
export type BillingSettingsEvent = z.infer<typeof BillingSettingsEvent>;

export const billingSettingsEventWireNames = {
  BillingConfigured: 'afternoon.invoicing.v1.billing_configured',
} as const satisfies Record<BillingSettingsEvent['type'], string>;
