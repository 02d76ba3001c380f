import { dropSchemas, testInfra, uniqueName } from '@afternoon/testkit';
import type pg from 'pg';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { fixtureMigrations } from '../../test-fixtures/kitDatabase';
import { ServiceEnv } from '../env';
import type { KafkaConnection } from '../kafka/kafka';
import { runRebuild } from './runRebuild';

const RebuildEnv = ServiceEnv.omit({ INTERNAL_API_TOKEN: true }).extend({ DB_SCHEMA: z.string() });

describe('runRebuild (a service\u2019s `npm run rebuild`)', () => {
  const schemas: string[] = [];
  const sourceFor = () => {
    const schema = uniqueName('rebuild');
    schemas.push(schema);
    const { databaseUrl, kafkaBrokers } = testInfra();
    return { DATABASE_URL: databaseUrl, DB_SCHEMA: schema, KAFKA_BROKERS: kafkaBrokers.join(','), LOG_LEVEL: 'warn' };
  };
  afterEach(() => vi.restoreAllMocks());
  afterAll(() => dropSchemas(...schemas));

  it('migrates, runs the rebuild with one Kafka connection, prints its line, and closes the pool', async () => {
    const printed = vi.spyOn(console, 'log').mockImplementation(() => {});
    let pool: pg.Pool | undefined;
    const connections: KafkaConnection[] = [];
    await runRebuild(
      {
        name: 'billing-service',
        env: RebuildEnv,
        migrationsDir: fixtureMigrations,
        async rebuild(context) {
          pool = context.pool;
          connections.push(context.kafka(context.env), context.kafka(context.env));
          await context.pool.query("INSERT INTO effects (source, payload) VALUES ('replay', 'invoice')");
          const { rows } = await context.pool.query<{ count: string }>('SELECT count(*)::text AS count FROM effects');
          return `rebuilt from ${rows[0]?.count} events`;
        },
      },
      sourceFor(),
    );
    expect(printed).toHaveBeenCalledWith('billing-service: rebuilt from 1 events');
    expect(connections[0]).toBe(connections[1]);
    expect(pool?.ended).toBe(true);
  });

  it('closes the pool when the rebuild fails, and fails with its error', async () => {
    let pool: pg.Pool | undefined;
    const failed = runRebuild(
      {
        name: 'billing-service',
        env: RebuildEnv,
        migrationsDir: fixtureMigrations,
        async rebuild(context) {
          pool = context.pool;
          throw new Error('the event store is unreadable');
        },
      },
      sourceFor(),
    );
    await expect(failed).rejects.toThrow('the event store is unreadable');
    expect(pool?.ended).toBe(true);
  });

  it('refuses an environment missing what it needs, naming the variable, before running the rebuild', async () => {
    const rebuild = vi.fn(async () => 'nothing');
    const { DB_SCHEMA: _schema, ...withoutSchema } = sourceFor();
    const refused = runRebuild(
      { name: 'billing-service', env: RebuildEnv, migrationsDir: fixtureMigrations, rebuild },
      withoutSchema,
    );
    await expect(refused).rejects.toThrow(/DB_SCHEMA/);
    expect(rebuild).not.toHaveBeenCalled();
  });
});
