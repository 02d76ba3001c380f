import { z } from 'zod';
import { NonBlankString } from './common';

/*
 * An organization's payment settings (per mode): the providers its invoices are paid through and how a failed
 * automatic charge is retried. Kept by invoicing-service, one stream per organization and mode. Provider secrets are
 * write-only: the gateway seals them (AES-256-GCM, see docs/decisions/0019) before the command leaves it, commands
 * and the event store hold only the sealed values, and `invoice.events` not even those.
 */

/** A Stripe secret (`sk_`) or restricted (`rk_`) API key, test or live. */
export const StripeSecretKey = z
  .string()
  .regex(/^(sk|rk)_(test|live)_[A-Za-z0-9]{8,247}$/, 'must be a Stripe secret key (sk_test_…, sk_live_… or rk_…)');
/** The signing secret of a Stripe webhook endpoint. */
export const StripeWebhookSecret = z
  .string()
  .regex(/^whsec_[A-Za-z0-9+/=]{8,250}$/, 'must be a Stripe webhook signing secret (whsec_…)');
/** A Stripe publishable key: public, shown back as it is. */
export const StripePublishableKey = z
  .string()
  .regex(/^pk_(test|live)_[A-Za-z0-9]{8,247}$/, 'must be a Stripe publishable key (pk_test_… or pk_live_…)');

/** What a bank transfer needs the customer to see: free-text instructions and the account to pay into. */
export const BankTransferSettings = z.strictObject({
  instructions: NonBlankString.max(2000),
  account_holder: NonBlankString.max(200).optional(),
  iban: z
    .string()
    .regex(/^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$/, 'must be an IBAN in capitals without spaces (DE89370400440532013000)')
    .optional(),
  bic: z
    .string()
    .regex(/^[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?$/, 'must be a BIC of 8 or 11 characters in capitals')
    .optional(),
  account_number: z
    .string()
    .regex(/^[0-9A-Za-z -]{4,34}$/, 'must be 4 to 34 letters, digits, spaces or dashes')
    .optional(),
  routing_number: z
    .string()
    .regex(/^[0-9A-Za-z -]{4,20}$/, 'must be 4 to 20 letters, digits, spaces or dashes')
    .optional(),
  bank_name: NonBlankString.max(200).optional(),
  /** Put before the invoice number in the transfer reference the customer is asked to quote (`ACME-` → `ACME-0042`). */
  reference_prefix: z
    .string()
    .regex(/^[A-Za-z0-9-]{1,12}$/, 'must be 1 to 12 letters, digits or dashes')
    .optional(),
});
export type BankTransferSettings = z.infer<typeof BankTransferSettings>;

/** Days after an automatic charge failed (counted from the first failure) when it is tried again: at most 10. */
export const RetrySchedule = z.strictObject({
  days_after_failure: z
    .array(z.number().int().min(1).max(60))
    .max(10)
    .refine((days) => days.every((day, index) => index === 0 || day > (days[index - 1] ?? 0)), {
      message: 'days must be increasing (e.g. [1, 3, 7])',
    }),
});
export type RetrySchedule = z.infer<typeof RetrySchedule>;

/** Three retries over a week. */
export const defaultRetrySchedule: RetrySchedule = { days_after_failure: [1, 3, 7] };

/** What happens to an invoice once its last retry failed: it stays open (the default) or is marked uncollectible. */
export const AfterFinalFailure = z.enum(['leave_open', 'mark_uncollectible']);
export type AfterFinalFailure = z.infer<typeof AfterFinalFailure>;

/** Stripe as the API shows it: the publishable key, and of the secrets only whether they are set. */
export const StripeSettings = z.object({
  publishable_key: z.string(),
  secret_key_last4: z.string(),
  webhook_secret_set: z.literal(true),
});
export type StripeSettings = z.infer<typeof StripeSettings>;

/** The settings as the API shows them (no secret ever); the defaults apply until the organization sets them. */
export const PaymentSettings = z.object({
  providers: z.object({ stripe: StripeSettings.nullable(), bank_transfer: BankTransferSettings.nullable() }),
  retry_schedule: RetrySchedule,
  after_final_failure: AfterFinalFailure,
  updated_at: z.iso.datetime().nullable(),
});
export type PaymentSettings = z.infer<typeof PaymentSettings>;

/** `GET /payment-settings` (internal), `GET` and `PATCH /v1/payment_settings`. */
export const PaymentSettingsAnswer = z.object({ payment_settings: PaymentSettings });
export type PaymentSettingsAnswer = z.infer<typeof PaymentSettingsAnswer>;

/** Stripe's keys to set: all three the first time; after that, one left out keeps its value. */
export const StripeSettingsChanges = z.strictObject({
  secret_key: StripeSecretKey.optional(),
  webhook_secret: StripeWebhookSecret.optional(),
  publishable_key: StripePublishableKey.optional(),
});
export type StripeSettingsChanges = z.infer<typeof StripeSettingsChanges>;

/**
 * `PATCH /v1/payment_settings`: what is left out keeps its value. A provider set to `null` is removed; Stripe's keys
 * merge (a secret need not be sent again), bank transfer's details are replaced as a whole.
 */
export const UpdatePaymentSettingsBody = z
  .strictObject({
    providers: z
      .strictObject({
        stripe: StripeSettingsChanges.nullable().optional(),
        bank_transfer: BankTransferSettings.nullable().optional(),
      })
      .optional(),
    retry_schedule: RetrySchedule.optional(),
    after_final_failure: AfterFinalFailure.optional(),
  })
  .superRefine((body, context) => {
    const changes = [body.providers?.stripe, body.providers?.bank_transfer, body.retry_schedule];
    if (changes.every((change) => change === undefined) && body.after_final_failure === undefined)
      context.addIssue({
        code: 'custom',
        path: ['providers'],
        message: 'is required: give providers, retry_schedule or after_final_failure',
      });
  });
export type UpdatePaymentSettingsBody = z.infer<typeof UpdatePaymentSettingsBody>;

// Command and event (on `invoice.commands` / `invoice.events`), keyed by `<organization>-<mode>`

/**
 * A value `sealSecret` made (service-kit): `v1:<iv>:<tag>:<ciphertext>`, sealed with the context
 * `payment_settings:<organization>:<mode>:stripe.<field>` (ADR 0019).
 */
export const SealedSecret = z.string().regex(/^v1:[A-Za-z0-9_:-]+$/, 'must be a sealed secret');
export type SealedSecret = z.infer<typeof SealedSecret>;

/** A sealed Stripe secret key and the last four characters of its plaintext (shown, as Stripe shows them). */
export const SealedStripeSecretKey = z.object({ sealed: SealedSecret, last4: z.string().length(4) });
export type SealedStripeSecretKey = z.infer<typeof SealedStripeSecretKey>;

/** Stripe's keys to set, the secrets sealed by the gateway. */
export const SealedStripeChanges = z.object({
  secret_key: SealedStripeSecretKey.optional(),
  webhook_secret: SealedSecret.optional(),
  publishable_key: StripePublishableKey.optional(),
});
export type SealedStripeChanges = z.infer<typeof SealedStripeChanges>;

export const ConfigurePayments = z.object({
  type: z.literal('ConfigurePayments'),
  data: z.object({
    stripe: SealedStripeChanges.nullable().optional(),
    bank_transfer: BankTransferSettings.nullable().optional(),
    retry_schedule: RetrySchedule.optional(),
    after_final_failure: AfterFinalFailure.optional(),
  }),
});
export type ConfigurePayments = z.infer<typeof ConfigurePayments>;

export const PaymentSettingsCommand = z.discriminatedUnion('type', [ConfigurePayments]);
export type PaymentSettingsCommand = z.infer<typeof PaymentSettingsCommand>;

/** Stripe as the event store keeps it: every key, the secrets sealed. */
export const StoredStripeSettings = z.object({
  publishable_key: z.string(),
  secret_key: SealedStripeSecretKey,
  webhook_secret: SealedSecret,
});
export type StoredStripeSettings = z.infer<typeof StoredStripeSettings>;

/** The full settings after the change (published on `invoice.events` without the sealed secrets). */
export const PaymentsConfigured = z.object({
  type: z.literal('PaymentsConfigured'),
  data: z.object({
    stripe: StoredStripeSettings.nullable(),
    bank_transfer: BankTransferSettings.nullable(),
    retry_schedule: RetrySchedule,
    after_final_failure: AfterFinalFailure,
    configured_at: z.iso.datetime(),
  }),
});
export type PaymentsConfigured = z.infer<typeof PaymentsConfigured>;

export const PaymentSettingsEvent = z.discriminatedUnion('type', [PaymentsConfigured]);
export type PaymentSettingsEvent = z.infer<typeof PaymentSettingsEvent>;

export const paymentSettingsEventWireNames = {
  PaymentsConfigured: 'afternoon.invoicing.v1.payments_configured',
} as const satisfies Record<PaymentSettingsEvent['type'], string>;

/**
 * `GET /public-invoices/{token}/payment-options` (internal): how the hosted page offers to pay the invoice, no secret:
 * whether Stripe is set up for the invoice's organization and mode, and the bank transfer details with the reference
 * the customer is asked to quote.
 */
export const HostedPaymentOptions = z.object({
  stripe: z.boolean(),
  bank_transfer: BankTransferSettings.extend({ reference: z.string() }).nullable(),
  /** A charge_automatically invoice whose customer has no saved card: the page offers to save one. */
  card_setup: z.boolean().optional(),
});
export type HostedPaymentOptions = z.infer<typeof HostedPaymentOptions>;

/** `POST /public-invoices/{token}/setup-session` (internal): the setup-mode checkout that saves the customer's card. */
export const SetupSessionAnswer = z.object({
  setup_session: z.object({ id: z.string(), url: z.url(), expires_at: z.iso.datetime() }),
});
export type SetupSessionAnswer = z.infer<typeof SetupSessionAnswer>;
