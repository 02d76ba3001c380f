import { parseEnv, ServiceEnv } from '@afternoon/service-kit';
import { z } from 'zod';

export const CustomerServiceEnv = ServiceEnv.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(4001),
  DB_SCHEMA: z.string().default('customers'),
});
export type CustomerServiceEnv = z.infer<typeof CustomerServiceEnv>;

export function loadEnv(source: Record<string, string | undefined>): CustomerServiceEnv {
  return parseEnv(CustomerServiceEnv, source);
}
