import { z } from 'zod';

/** Parses an app's environment once at boot; a bad value stops the app with every problem named. */
export function parseEnv<Schema extends z.ZodType>(
  schema: Schema,
  source: Record<string, string | undefined>,
): z.infer<Schema> {
  const parsed = schema.safeParse(source);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `  ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  throw new Error(`Invalid environment:\n${problems.join('\n')}`);
}

/** What every service needs: its database and schema, the brokers, and the namespace of its topics. */
export const ServiceEnv = z.object({
  DATABASE_URL: z.url({ message: 'DATABASE_URL must be a postgres:// URL' }),
  KAFKA_BROKERS: z
    .string()
    .min(1, 'KAFKA_BROKERS must list host:port pairs')
    .transform((value) => value.split(',').map((broker) => broker.trim())),
  TOPIC_PREFIX: z.string().default(''),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});
export type ServiceEnv = z.infer<typeof ServiceEnv>;
