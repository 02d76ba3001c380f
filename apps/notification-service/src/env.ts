import { parseEnv, ServiceEnv } from '@afternoon/service-kit';
import { z } from 'zod';

export const NotificationServiceEnv = ServiceEnv.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(4004),
  DB_SCHEMA: z.string().default('notifications'),
  /** Endpoints may be plain http in live mode too (test mode always may). */
  WEBHOOK_ALLOW_HTTP: z.stringbool().default(false),
  /** Endpoints may resolve to loopback, private and link-local addresses: local development and tests only. */
  WEBHOOK_ALLOW_PRIVATE_NETWORKS: z.stringbool().default(false),
  /** How long one webhook request may take, answer included, before it is a failed attempt ('timeout'). */
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(1).default(10_000),
  /** The sender's pause between looks for due deliveries; a finished send looks again at once. */
  WEBHOOK_SENDER_INTERVAL_MS: z.coerce.number().int().min(1).default(500),
  /** How long a delivery being sent is held before another instance may send it (a killed sender's delivery waits this long). */
  WEBHOOK_SENDER_LEASE_MS: z.coerce.number().int().min(1).default(30_000),
  /** Webhook requests one instance has in flight at most. */
  WEBHOOK_SENDER_MAX_IN_FLIGHT: z.coerce.number().int().min(1).default(20),
  /** Webhook requests to one endpoint in flight at most, all instances together. */
  WEBHOOK_SENDER_MAX_IN_FLIGHT_PER_ENDPOINT: z.coerce.number().int().min(1).default(2),
  /** The SMTP server invoice emails go through (`smtp://user:pass@host:port`, `smtps://…`); unset, none is sent. */
  SMTP_URL: z.url({ protocol: /^smtps?$/ }).optional(),
  /** Where the gateway answers internally: invoice emails attach the PDF of its hosted invoice page. */
  GATEWAY_INTERNAL_URL: z.url().default('http://127.0.0.1:3000'),
  /** How long fetching an invoice's PDF, and each stage of an SMTP conversation, may take. */
  EMAIL_TIMEOUT_MS: z.coerce.number().int().min(1).default(30_000),
  /** The email sender's pause between looks for due emails. */
  EMAIL_SENDER_INTERVAL_MS: z.coerce.number().int().min(1).default(1_000),
});
export type NotificationServiceEnv = z.infer<typeof NotificationServiceEnv>;

export function loadEnv(source: Record<string, string | undefined>): NotificationServiceEnv {
  return parseEnv(NotificationServiceEnv, source);
}
