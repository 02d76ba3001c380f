import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { closeServer, listen, operationalRoutes } from '../http/serviceHttp';
import { createServiceMetrics } from '../metrics';
import { ConsumerHealth, consumersReady } from './consumerHealth';

describe('consumer health on /readyz', () => {
  const servers: Parameters<typeof closeServer>[0][] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map(closeServer));
  });

  async function readyz(health: ConsumerHealth) {
    const app = express().use(
      operationalRoutes({
        readiness: [{ name: 'consumers', check: () => consumersReady([health]) }],
        metrics: createServiceMetrics('health-test'),
      }),
    );
    const { server, port } = await listen(app, 0);
    servers.push(server);
    const response = await fetch(`http://127.0.0.1:${port}/readyz`);
    return { status: response.status, body: await response.json() };
  }

  it('fails naming the partition, the reason and since when while a world failure is retried, and passes again after', async () => {
    const health = new ConsumerHealth('billing.usage');
    health.retryingAt('usage.ingest', 2, new Error('connect ECONNREFUSED 127.0.0.1:5432'));
    const { since } = /since (?<since>\S+)$/.exec(health.problem() ?? '')?.groups ?? {};
    health.retryingAt('usage.ingest', 2, new Error('the database system is starting up'));

    expect(await readyz(health)).toEqual({
      status: 503,
      body: {
        status: 'not_ready',
        checks: {
          consumers: `billing.usage usage.ingest/2 retrying: the database system is starting up since ${since}`,
        },
      },
    });
    health.movedOn('usage.ingest', 2);
    expect(await readyz(health)).toEqual({ status: 200, body: { status: 'ready', checks: { consumers: true } } });
  });
});
