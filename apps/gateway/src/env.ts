import { parseEnv, SecretsKey, ServiceEnv } from '@afternoon/service-kit';
import { z } from 'zod';

export const GatewayEnv = ServiceEnv.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /**
   * When set, the admin API (/v1/admin/*) answers only on this port, on INTERNAL_HOST, and the public PORT answers
   * 404 for it; unset, it shares the public port (development).
   */
  ADMIN_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  DB_SCHEMA: z.string().default('gateway'),
  /** Bearer token of the admin API; generated into LOCAL_DIR when unset (development). */
  ADMIN_TOKEN: z.string().min(24, 'ADMIN_TOKEN must be at least 24 characters').optional(),
  LOCAL_DIR: z.string().default('.local'),
  /**
   * Seals payment providers' secrets (Stripe keys) before they leave the gateway: 32 random bytes, base64 (npm start
   * generates one into LOCAL_DIR). Unset, a request that would store a secret is refused with 503; the rest works.
   */
  PAYMENT_SECRETS_KEY: SecretsKey.optional(),
  CUSTOMER_SERVICE_URL: z.url().default('http://127.0.0.1:4001'),
  METERING_SERVICE_URL: z.url().default('http://127.0.0.1:4002'),
  INVOICING_SERVICE_URL: z.url().default('http://127.0.0.1:4003'),
  NOTIFICATION_SERVICE_URL: z.url().default('http://127.0.0.1:4004'),
  /** Where the public reaches the gateway; hosted invoice links are built on it. */
  PUBLIC_URL: z.url().default('http://localhost:3000'),
  COMMAND_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  /** How long a write or an ingest waits for the broker to acknowledge it before answering 503 (a Kafka outage). */
  PRODUCE_TIMEOUT_MS: z.coerce.number().int().positive().default(5_000),
  IDEMPOTENCY_RETENTION_HOURS: z.coerce.number().positive().default(24),
  /** Requests per organization and mode in each 60-second window, unless the organization has its own; 0: no limit. */
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).default(1000),
});
export type GatewayEnv = z.infer<typeof GatewayEnv>;

const separatePorts = GatewayEnv.refine(
  (env) => env.ADMIN_PORT === undefined || env.ADMIN_PORT !== env.PORT || !env.PORT,
  {
    message: 'ADMIN_PORT must differ from PORT (unset it to serve the admin API on the public port)',
    path: ['ADMIN_PORT'],
  },
);

export function loadEnv(source: Record<string, string | undefined>): GatewayEnv {
  return parseEnv(separatePorts, source);
}
