import { parseEnv, ServiceEnv } from '@afternoon/service-kit';
import { z } from 'zod';

export const MeteringServiceEnv = ServiceEnv.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(4002),
  DB_SCHEMA: z.string().default('metering'),
});
export type MeteringServiceEnv = z.infer<typeof MeteringServiceEnv>;

export function loadEnv(source: Record<string, string | undefined>): MeteringServiceEnv {
  return parseEnv(MeteringServiceEnv, source);
}
