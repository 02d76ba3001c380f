import { parseEnv, ServiceEnv } from '@afternoon/service-kit';
import { z } from 'zod';

export const NotificationServiceEnv = ServiceEnv.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(4004),
  DB_SCHEMA: z.string().default('notifications'),
  /** Endpoints may be plain http in live mode too (test mode always may). */
  WEBHOOK_ALLOW_HTTP: z.stringbool().default(false),
  /** Endpoints may resolve to loopback, private and link-local addresses: local development and tests only. */
  WEBHOOK_ALLOW_PRIVATE_NETWORKS: z.stringbool().default(false),
});
export type NotificationServiceEnv = z.infer<typeof NotificationServiceEnv>;

export function loadEnv(source: Record<string, string | undefined>): NotificationServiceEnv {
  return parseEnv(NotificationServiceEnv, source);
}
