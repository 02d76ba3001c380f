import { parseEnv, SecretsKey, ServiceEnv } from '@afternoon/service-kit';
import { z } from 'zod';

export const InvoicingServiceEnv = ServiceEnv.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(4003),
  DB_SCHEMA: z.string().default('invoicing'),
  /** Internal HTTP address of metering-service, asked for usage when billing. */
  METERING_SERVICE_URL: z.url().default('http://127.0.0.1:4002'),
  /** Where the public reaches the gateway; hosted links of the invoices subscriptions make are built on it. */
  PUBLIC_URL: z.url().default('http://localhost:3000'),
  /** How long after a period ends late usage is still billed with it. */
  BILLING_GRACE_PERIOD_SECONDS: z.coerce.number().int().min(0).default(3600),
  /** Whether this instance runs the billing run (one instance is enough; several are safe). */
  BILLING_RUN_ENABLED: z.stringbool().default(true),
  /** How often subscriptions are checked for periods to bill, starts and ends that are due. */
  BILLING_RUN_INTERVAL_MS: z.coerce.number().int().positive().default(5000),
  /** The most commands one billing pass sends; the rest go in the next pass, which starts at once. */
  BILLING_RUN_MAX_COMMANDS_PER_PASS: z.coerce.number().int().positive().default(500),
  /** How long a sent boundary waits for its invoice before it is sent again; doubles per attempt, up to an hour. */
  BILLING_BOUNDARY_RETRY_MS: z.coerce.number().int().positive().default(60_000),
  /**
   * Opens the payment providers' secrets the gateway sealed (the same 32 bytes, base64, as the gateway's). Unset, no
   * Stripe payment can be started and Stripe's webhooks are refused (400); the rest works.
   */
  PAYMENT_SECRETS_KEY: SecretsKey.optional(),
  /** Another server for the Stripe client to call (`http://127.0.0.1:12111`, a local stand-in); Stripe's by default. */
  STRIPE_API_BASE: z.url().optional(),
});
export type InvoicingServiceEnv = z.infer<typeof InvoicingServiceEnv>;

export function loadEnv(source: Record<string, string | undefined>): InvoicingServiceEnv {
  return parseEnv(InvoicingServiceEnv, source);
}
