#!/usr/bin/env -S npx tsx
import { parseArgs } from 'node:util';
import { Mode } from '@afternoon/contracts/common';
import { RateLimitPerMinute } from '@afternoon/contracts/organizations';
import {
  connectKafka,
  createLogger,
  createPool,
  type KafkaConnection,
  kafkaSecurity,
  migrate,
  parseEnv,
  ServiceEnv,
} from '@afternoon/service-kit';
import { z } from 'zod';
import { migrationsDir } from './app';
import { deadLetterUsage, runDeadLetterCommand } from './deadLetters/deadLetterCli';
import {
  createApiKey,
  createOrganization,
  listApiKeys,
  listOrganizations,
  organizationExists,
  revokeApiKey,
  setOrganizationRateLimit,
} from './organizations/organizationStore';

const usage = `Afternoon admin CLI (the admin API's operations, straight on the gateway's schema)

  organizations create --name <name>     create an organization with a live and a test key
  organizations list                     list organizations
  organizations set-rate-limit --id <org id> --per-minute <n>|default
                                         the organization's requests per minute and mode (0: unlimited)
  api-keys list --org <id>               list an organization's keys (never the secrets)
  api-keys create --org <id> --mode live|test
  api-keys revoke --id <key id>
${deadLetterUsage}

Needs DATABASE_URL (and DB_SCHEMA if not "gateway"); dead-letters also KAFKA_BROKERS (default 127.0.0.1:9092) and
TOPIC_PREFIX (and KAFKA_SASL_*, KAFKA_SSL* for a secured broker). Prints JSON (dead-letters list: a table unless --json).`;

const CliEnv = ServiceEnv.pick({
  DATABASE_URL: true,
  TOPIC_PREFIX: true,
  KAFKA_SASL_MECHANISM: true,
  KAFKA_SASL_USERNAME: true,
  KAFKA_SASL_PASSWORD: true,
  KAFKA_SSL: true,
  KAFKA_SSL_CA_FILE: true,
}).extend({
  DB_SCHEMA: z.string().default('gateway'),
  KAFKA_BROKERS: z.string().default('127.0.0.1:9092').pipe(ServiceEnv.shape.KAFKA_BROKERS),
});

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    name: { type: 'string' },
    org: { type: 'string' },
    mode: { type: 'string' },
    id: { type: 'string' },
    'per-minute': { type: 'string' },
    topic: { type: 'string' },
    all: { type: 'boolean' },
    force: { type: 'boolean' },
    json: { type: 'boolean' },
  },
});
const [resource, action] = positionals;
if (!resource || !action) {
  console.log(usage);
  process.exit(resource ? 2 : 0);
}

const env = parseEnv(CliEnv, process.env);
const pool = createPool({ url: env.DATABASE_URL, schema: env.DB_SCHEMA, applicationName: 'afternoon-cli', max: 1 });

let kafka: KafkaConnection | undefined;

/** Kafka, for the dead-letters commands only; its logs go to stderr so stdout stays the command's output. */
function connectDeadLetters() {
  kafka = connectKafka({
    clientId: 'afternoon-cli',
    brokers: env.KAFKA_BROKERS,
    topicPrefix: env.TOPIC_PREFIX,
    logger: createLogger('cli', 'error', process.stderr),
    security: kafkaSecurity(env),
  });
  return { kafka, pool, topicPrefix: env.TOPIC_PREFIX };
}

function required(name: 'name' | 'org' | 'mode' | 'id' | 'per-minute'): string {
  const value = values[name];
  if (!value) throw new Error(`--${name} is required`);
  return value;
}

async function requireOrganization(id: string): Promise<string> {
  if (!(await organizationExists(pool, id))) throw new Error(`no such organization: ${id}`);
  return id;
}

async function run(): Promise<unknown> {
  await migrate(pool, env.DB_SCHEMA, migrationsDir);
  if (resource === 'dead-letters') return runDeadLetterCommand(action as string, values, connectDeadLetters);
  switch (`${resource} ${action}`) {
    case 'organizations create':
      return createOrganization(pool, required('name'));
    case 'organizations list':
      return { organizations: await listOrganizations(pool) };
    case 'organizations set-rate-limit': {
      const perMinute = required('per-minute');
      const limit = perMinute === 'default' ? null : RateLimitPerMinute.parse(Number(perMinute));
      const organization = await setOrganizationRateLimit(pool, required('id'), limit);
      if (!organization) throw new Error(`no such organization: ${values.id}`);
      return { organization };
    }
    case 'api-keys list':
      return { api_keys: await listApiKeys(pool, await requireOrganization(required('org'))) };
    case 'api-keys create':
      return {
        api_key: await createApiKey(pool, await requireOrganization(required('org')), Mode.parse(required('mode'))),
      };
    case 'api-keys revoke': {
      const apiKey = await revokeApiKey(pool, required('id'));
      if (!apiKey) throw new Error(`no such API key: ${values.id}`);
      return { api_key: apiKey };
    }
    default:
      throw new Error(`unknown command: ${resource} ${action}\n\n${usage}`);
  }
}

try {
  const output = await run();
  console.log(typeof output === 'string' ? output : JSON.stringify(output, null, 2));
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  await kafka?.close();
  await pool.end();
}
