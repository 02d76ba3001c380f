import { eventually, type PrivatePostgres, startPrivatePostgres } from '@afternoon/testkit';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consumerScenario, type ScenarioDeps } from '../../test-fixtures/consumerScenario';
import { fixtureMigrations } from '../../test-fixtures/kitDatabase';
import { kitKafka } from '../../test-fixtures/kitKafka';
import { createPool } from '../postgres/database';
import { migrate } from '../postgres/migrate';

describe('idempotent consumer through a database outage', () => {
  const { kafka, logger } = kitKafka();
  let server: PrivatePostgres;
  let pool: pg.Pool;
  let deps: ScenarioDeps;

  beforeAll(async () => {
    server = await startPrivatePostgres();
    pool = createPool({ url: server.url, schema: 'kit', applicationName: 'kit-outage-test' });
    // Idle clients report their server's death on the pool; without a listener that would end the test process.
    pool.on('error', () => undefined);
    await migrate(pool, 'kit', fixtureMigrations);
    deps = { kafka, pool, producer: await kafka.createProducer(), logger, running: [] };
  }, 120_000);
  afterAll(async () => {
    await Promise.all(deps.running.map((consumer) => consumer.stop()));
    await kafka.close();
    await pool.end();
    await server.destroy();
  });

  it('handles every record once and dead-letters none when the database is down longer than any retry budget, saying what it waits for meanwhile', async () => {
    const s = await consumerScenario(deps, 'db-outage');
    const records = Array.from({ length: 10 }, (_, index) => `r${index}`);
    await s.send(records);
    let outage: Promise<void> | undefined;
    // The server goes away between two records of one batch, as in a failover: the next record's handler fails.
    const consumer = await s.start(s.recordEffect, {
      retryDelay: () => 200,
      afterRecordCommitted: async (offset) => {
        if (offset === '4') outage ??= server.stop();
        await outage;
      },
    });
    // The old consumer gave up on a record after 5 attempts (~3 s) and dead-lettered it.
    await eventually(
      () => {
        const since = /retrying: .+ since (\S+)$/.exec(consumer.problem() ?? '')?.[1];
        expect(Date.now() - Date.parse(since ?? '')).toBeGreaterThan(6_000);
      },
      { label: 'retrying for over 6 s', timeout: 30_000 },
    );
    expect(consumer.problem()).toMatch(new RegExp(`^${s.groupId} .+/0 retrying: .*ECONNREFUSED`));
    await server.start();

    await eventually(async () => expect(await s.effects()).toEqual(records), { label: 'after', timeout: 30_000 });
    expect(consumer.problem()).toBeUndefined();
    expect(await s.retries()).toBeGreaterThan(5);
    const [deadLetterPartition] = await (await kafka.admin()).fetchTopicOffsets(kafka.topic(s.topics.dlq));
    expect(deadLetterPartition?.high).toBe('0');
  });
});
