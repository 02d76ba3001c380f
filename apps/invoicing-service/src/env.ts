import { parseEnv, ServiceEnv } from '@afternoon/service-kit';
import { z } from 'zod';

export const InvoicingServiceEnv = ServiceEnv.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(4003),
  DB_SCHEMA: z.string().default('invoicing'),
});
export type InvoicingServiceEnv = z.infer<typeof InvoicingServiceEnv>;

export function loadEnv(source: Record<string, string | undefined>): InvoicingServiceEnv {
  return parseEnv(InvoicingServiceEnv, source);
}
