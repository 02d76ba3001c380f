import { fileURLToPath } from 'node:url';
import type { TopicSpec } from '@afternoon/contracts/topics';
import {
  dropSchemas,
  dropTopics,
  eventually,
  produce,
  serviceEnv,
  testInternalApiToken,
  uniqueName,
} from '@afternoon/testkit';
import { Router } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { internalApiHeaders } from '../http/internalApi';
import { type RunningService, startService } from '../service';
import { startBackgroundLoop } from './backgroundLoop';
import type { ServiceContext, Slice } from './slice';

const migrationsDir = fileURLToPath(new URL('../../test-fixtures/migrations', import.meta.url));
const plans: TopicSpec = { name: 'plans.input', partitions: 1, retentionMs: -1, appendTime: true };
const usage: TopicSpec = { name: 'usage.input', partitions: 1, retentionMs: -1, appendTime: true };
const deadLetters: TopicSpec = { name: 'slices.dlq', partitions: 1, retentionMs: -1 };

/** Plans arrive on their own topic; the usage consumer needs the plan a record names, as metering needs customers. */
const plansSlice: Slice = {
  name: 'plans',
  consumers: [
    {
      name: 'plans',
      topics: [plans],
      deadLetterTopic: deadLetters,
      async handle(tx, record, context) {
        context.setType('plan');
        await tx.query('INSERT INTO effects (source, payload) VALUES ($1, $2)', ['plan', record.value]);
      },
    },
  ],
};

const usageSlice: Slice = {
  name: 'usage',
  consumers: [
    {
      name: 'usage',
      topics: [usage],
      deadLetterTopic: deadLetters,
      async handle(tx, record, context) {
        context.setType('usage');
        // The consumer's context: wait for the plans consumer, as a command handler would with `catchUp`.
        if (!(await context.catchUp('plans', plans, 10_000))) throw new Error('plans not caught up');
        const plan = await tx.query('SELECT 1 FROM effects WHERE source = $1 AND payload = $2', ['plan', record.value]);
        const outcome = `${record.value} ${plan.rowCount === 1 ? 'priced' : 'unpriced'} in ${context.schema}`;
        await tx.query('INSERT INTO effects (source, payload) VALUES ($1, $2)', ['usage', outcome]);
      },
    },
  ],
  routes: (deps) =>
    Router().get('/usage', async (_request, response) => {
      const { rows } = await deps.pool.query<{ payload: string }>(
        "SELECT payload FROM effects WHERE source = 'usage' ORDER BY id",
      );
      const through = await deps.processedThrough('usage', usage);
      response.json({ usage: rows.map((row) => row.payload), processed_through: through.toISOString() });
    }),
};

/** Background work that counts its turns in the database; remembers what it was started with and its stop. */
const started: ServiceContext[] = [];
let loopStopped = false;
const loopSlice: Slice = {
  name: 'loop',
  background: [
    (context) => {
      started.push(context);
      const loop = startBackgroundLoop({
        name: 'counting loop',
        logger: context.logger,
        intervalMs: 20,
        turn: () => context.pools.background.query("INSERT INTO effects (source, payload) VALUES ('loop', 'turn')"),
      });
      return {
        async stop() {
          await loop.stop();
          loopStopped = true;
        },
      };
    },
  ],
};

describe('a service started from slices', () => {
  const schema = uniqueName('kit_slices');
  const topicPrefix = `${uniqueName('t')}.`;
  let service: RunningService;
  let running = false;

  beforeAll(async () => {
    service = await startService({
      name: 'slices-test',
      env: serviceEnv(schema, topicPrefix),
      migrationsDir,
      slices: [plansSlice, usageSlice, loopSlice],
    });
    running = true;
  });
  afterAll(async () => {
    if (running) await service.stop();
    await dropTopics(topicPrefix);
    await dropSchemas(schema);
  });

  it('creates the topics its slices consume', async () => {
    const topics = await (await service.kafka.admin()).listTopics();
    expect(topics).toEqual(
      expect.arrayContaining([plans, usage, deadLetters].map((topic) => service.kafka.topic(topic))),
    );
  });

  it("gives each consumer the service's context, so one consumer can wait for another", async () => {
    await produce(service.kafka.topic(plans), [{ key: 'p', value: 'gold' }]);
    await produce(service.kafka.topic(usage), [{ key: 'p', value: 'gold' }]);
    const answer = await eventually(
      async () => {
        const response = await fetch(`http://127.0.0.1:${service.port}/usage`, {
          headers: internalApiHeaders(testInternalApiToken),
        });
        const body = (await response.json()) as { usage: string[]; processed_through: string };
        expect(body.usage).toHaveLength(1);
        return body;
      },
      { label: 'usage handled', timeout: 20_000 },
    );
    expect(answer.usage).toEqual([`gold priced in ${schema}`]);
    expect(Date.parse(answer.processed_through)).toBeGreaterThan(0);
  });

  it('runs the background work with the context until the service stops', async () => {
    expect(started.map((context) => context.schema)).toEqual([schema]);
    const turns = async () =>
      (await service.pools.queries.query("SELECT 1 FROM effects WHERE source = 'loop'")).rowCount ?? 0;
    await eventually(async () => expect(await turns()).toBeGreaterThan(2), { label: 'loop turning' });
    running = false;
    await service.stop();
    expect(loopStopped).toBe(true);
  });
});
