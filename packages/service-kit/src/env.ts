import { z } from 'zod';
import { fieldPath } from './fieldProblems';

/** Parses an app's environment once at boot; a bad value stops the app with every problem named. */
export function parseEnv<Schema extends z.ZodType>(
  schema: Schema,
  source: Record<string, string | undefined>,
): z.infer<Schema> {
  const parsed = schema.safeParse(source);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `  ${fieldPath(issue.path) || '(root)'}: ${issue.message}`);
  throw new Error(`Invalid environment:\n${problems.join('\n')}`);
}

const requiredSecret = (name: string, hint: string) =>
  z
    .string({ error: (issue) => (issue.input === undefined ? `${name} is required: ${hint}` : undefined) })
    .min(24, `${name} must be at least 24 characters`);

/**
 * What every service needs: its database and schema, the brokers (and how to authenticate to them), the namespace and
 * replication of its topics, and the door of its internal HTTP API.
 */
export const ServiceEnv = z.object({
  DATABASE_URL: z.url({ message: 'DATABASE_URL must be a postgres:// URL' }),
  KAFKA_BROKERS: z
    .string()
    .min(1, 'KAFKA_BROKERS must list host:port pairs')
    .transform((value) => value.split(',').map((broker) => broker.trim())),
  TOPIC_PREFIX: z.string().default(''),
  /** Copies of each topic the apps create: 1 on the single local broker, 3 in production. */
  KAFKA_REPLICATION_FACTOR: z.coerce.number().int().min(1).default(1),
  /** Copies a record needs before a write is acknowledged (acks: all): 1 locally, 2 in production. */
  KAFKA_MIN_INSYNC_REPLICAS: z.coerce.number().int().min(1).default(1),
  /** Longest a statement of a request or a consumed record may run before Postgres cancels it (0: no limit). */
  DB_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).default(15_000),
  /** Longest a statement may wait for a row or table lock before Postgres gives up (0: no limit). */
  DB_LOCK_TIMEOUT_MS: z.coerce.number().int().min(0).default(5_000),
  /** Longest a statement of background work (billing run, rollups, outbox relay) may run (0: no limit). */
  DB_BACKGROUND_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).default(300_000),
  /** Connections of the pool that handles consumed records: usage ingest, commands, other services' events. */
  DB_POOL_INGEST_MAX: z.coerce.number().int().min(1).default(5),
  /** Connections of the pool that answers reads (the internal read API; the gateway's requests). */
  DB_POOL_QUERIES_MAX: z.coerce.number().int().min(1).default(3),
  /** Connections of the pool of background work: migrations, outbox relay, billing run, rollup builder. */
  DB_POOL_BACKGROUND_MAX: z.coerce.number().int().min(1).default(4),
  /** Kafka authentication: SASL with this mechanism, user and password when set (SCRAM in production). */
  KAFKA_SASL_MECHANISM: z.enum(['scram-sha-256', 'scram-sha-512', 'plain']).optional(),
  KAFKA_SASL_USERNAME: z.string().min(1).optional(),
  KAFKA_SASL_PASSWORD: z.string().min(1).optional(),
  /** TLS to the brokers; KAFKA_SSL_CA_FILE names a PEM file of the CA that signed them (else the system's CAs). */
  KAFKA_SSL: z.stringbool().default(false),
  KAFKA_SSL_CA_FILE: z.string().min(1).optional(),
  /** The interface internal HTTP APIs listen on: loopback unless a deployment opens it (0.0.0.0 in containers). */
  INTERNAL_HOST: z.string().min(1).default('127.0.0.1'),
  /** Shared by every app: a service answers an internal request only when it carries this token. */
  INTERNAL_API_TOKEN: requiredSecret(
    'INTERNAL_API_TOKEN',
    'the token every internal request carries (npm start generates one into .local/; set the same value on every app)',
  ),
  /** OTLP/HTTP base URL (spans go to `<it>/v1/traces`, JSON); unset, tracing is off and no SDK starts. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url({ message: 'OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s):// URL' }).optional(),
  /** The service name spans are reported under; the app's own name (gateway, customer-service…) when unset. */
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});
export type ServiceEnv = z.infer<typeof ServiceEnv>;
