import { createPool, migrate, parseEnv, rebuildProjections } from '@afternoon/service-kit';
import { customerProjections, migrationsDir } from './app';
import { CustomerServiceEnv } from './env';

// Rebuilding needs only the database, not Kafka.
const env = parseEnv(CustomerServiceEnv.pick({ DATABASE_URL: true, DB_SCHEMA: true }), process.env);
const pool = createPool({ url: env.DATABASE_URL, schema: env.DB_SCHEMA, applicationName: 'customer-service-rebuild' });
await migrate(pool, env.DB_SCHEMA, migrationsDir);
const replayed = await rebuildProjections(pool, customerProjections);
console.log(`customer-service: rebuilt ${customerProjections.length} projection(s) from ${replayed} events`);
await pool.end();
