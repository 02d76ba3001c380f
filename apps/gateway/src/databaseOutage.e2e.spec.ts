import { eventually, type PrivatePostgres, startPrivatePostgres } from '@afternoon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster, type TestOrganization } from '../test/testCluster';

describe('a Postgres crash and restart under load', () => {
  let server: PrivatePostgres;
  let cluster: TestCluster;
  let org: TestOrganization;

  beforeAll(async () => {
    server = await startPrivatePostgres();
    cluster = await startTestCluster({ databaseUrl: server.url });
    org = await cluster.createOrganization('Through The Outage');
  });
  afterAll(async () => {
    await cluster?.stop();
    await server?.destroy();
  });

  const appPorts = () => [
    cluster.gateway.port,
    cluster.services.customers()?.port,
    cluster.services.metering.port,
    cluster.services.invoicing.port,
  ];
  const readiness = () =>
    Promise.all(appPorts().map(async (port) => (await fetch(`http://127.0.0.1:${port}/readyz`)).status));

  it('keeps every app running: not ready while it is down, 503 (never 500) meanwhile, ready and writing after', async () => {
    const customer = await org.live.post('/v1/customers', { name: 'Steady Co' });
    expect(customer.status).toBe(201);
    const customerId = customer.body.customer.id;

    const statuses: number[] = [];
    let loading = true;
    const load = (async () => {
      for (let round = 1; loading; round += 1) {
        const answers = await Promise.all([
          org.live.post('/v1/events/ingest', {
            events: [{ event_name: 'api.request', idempotency_key: `load-${round}`, customer_id: customerId }],
          }),
          org.live.post('/v1/customers', { name: `Load ${round}` }, { 'idempotency-key': `load-${round}` }),
        ]);
        statuses.push(...answers.map((answer) => answer.status));
      }
    })();
    await eventually(() => expect(statuses.length).toBeGreaterThan(10), { label: 'load running' });

    await server.stop('immediate');
    await eventually(async () => expect(await readiness()).toEqual([503, 503, 503, 503]), {
      label: 'every app not ready while Postgres is down',
    });
    const started = Date.now();
    const read = await org.live.get('/v1/customers');
    const adminWrite = await cluster.admin.post('/v1/admin/organizations', { name: 'Refused Meanwhile' });
    expect([read.status, adminWrite.status]).toEqual([503, 503]);
    expect(adminWrite.body.error.code).toBe('SERVICE_UNAVAILABLE');
    expect(Date.now() - started).toBeLessThan(5_000);

    await server.start();
    await eventually(async () => expect(await readiness()).toEqual([200, 200, 200, 200]), {
      timeout: 60_000,
      interval: 250,
      label: 'every app ready again',
    });
    loading = false;
    await load;
    // A command queued before the crash may still time out (504); nothing answers 500.
    expect(statuses.filter((status) => status >= 500 && status !== 503 && status !== 504)).toEqual([]);

    const after = await org.live.post('/v1/customers', { name: 'After The Outage' });
    expect(after.status).toBe(201);
    const ingested = await org.live.post('/v1/events/ingest', {
      events: [{ event_name: 'api.request', idempotency_key: 'after-outage', customer_id: customerId }],
    });
    expect(ingested.status).toBe(200);
    await eventually(
      async () => {
        const listed = await org.live.get(`/v1/events?customer_id=${customerId}&limit=100`);
        expect(listed.body.events.map((event: { idempotency_key: string }) => event.idempotency_key)).toContain(
          'after-outage',
        );
      },
      { timeout: 30_000, label: 'an event ingested after the restart is stored' },
    );
  });
});
