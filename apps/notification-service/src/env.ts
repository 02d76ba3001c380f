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
});
export type NotificationServiceEnv = z.infer<typeof NotificationServiceEnv>;

export function loadEnv(source: Record<string, string | undefined>): NotificationServiceEnv {
  return parseEnv(NotificationServiceEnv, source);
}
