import { parseEnv, ServiceEnv } from '@afternoon/service-kit';
import { z } from 'zod';

export const defaultMeteringServiceUrl = 'http://127.0.0.1:4002';

export const InvoicingServiceEnv = ServiceEnv.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(4003),
  DB_SCHEMA: z.string().default('invoicing'),
  /** Internal HTTP address of metering-service, asked for usage when billing. */
  METERING_SERVICE_URL: z.url().default(defaultMeteringServiceUrl),
});
export type InvoicingServiceEnv = z.infer<typeof InvoicingServiceEnv>;

export function loadEnv(source: Record<string, string | undefined>): InvoicingServiceEnv {
  return parseEnv(InvoicingServiceEnv, source);
}
