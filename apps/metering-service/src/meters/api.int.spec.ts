import type { MeterDefinition } from '@afternoon/contracts/meters';
import { Topics } from '@afternoon/contracts/topics';
import { newResourceId, type RunningService, type Tenant } from '@afternoon/service-kit';
import {
  customerCreatedRecord,
  customerDeletedRecord,
  dropSchemas,
  dropTopics,
  eventually,
  produce,
  serviceEnv,
  uniqueName,
} from '@afternoon/testkit';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createMeterCommand, readAs } from '../../test/records';
import { insertUsageEvent } from '../../test/storedRows';
import { startMeteringService } from '../app';

const tenant: Tenant = { organizationId: 'org_meter_api', mode: 'live' };
const alice = newResourceId();
const deleted = newResourceId();
const range = 'from=2026-03-01T00:00:00Z&to=2026-03-02T00:00:00Z';

const calls: MeterDefinition = {
  code: 'calls',
  name: 'Calls',
  event_name: 'api.request',
  aggregation: 'count',
  property: null,
  filters: {},
  group_by: ['endpoint'],
};

describe('meter read routes by customer', () => {
  const schema = uniqueName('meter_api');
  const topicPrefix = `${uniqueName('meter_api')}.`;
  let service: RunningService;

  beforeAll(async () => {
    service = await startMeteringService(serviceEnv(schema, topicPrefix));
    await produce(`${topicPrefix}${Topics.customerEvents.name}`, [
      customerCreatedRecord(tenant, alice),
      customerCreatedRecord(tenant, deleted),
      customerDeletedRecord(tenant, deleted, '2026-03-05T00:00:00.000Z'),
    ]);
    await produce(`${topicPrefix}${Topics.meterCommands.name}`, [createMeterCommand(tenant, calls)]);
    await eventually(async () => expect((await readAs(service, tenant, '/meters/calls')).status).toBe(200), {
      timeout: 30_000,
      label: 'the meter is created',
    });
    // Stored directly: these routes read what is stored, however it arrived.
    for (const [key, customer, receivedAt] of [
      ['evt_1', alice, '2026-03-01T10:00:00Z'],
      ['evt_2', alice, '2026-03-02T10:00:00Z'],
      ['evt_3', deleted, '2026-03-01T10:00:00Z'],
    ] as const) {
      await insertUsageEvent(service.pool, tenant, {
        key,
        eventName: 'api.request',
        customerId: customer,
        timestamp: '2026-03-01T10:00:00Z',
        properties: { endpoint: '/v1/x' },
        receivedAt,
      });
    }
  });
  afterAll(async () => {
    await service?.stop();
    await dropSchemas(schema);
    await dropTopics(topicPrefix);
  });

  it('answers the usage within a received window', async () => {
    const path = `/customers/${alice}/meter-usage?meter=calls&${range}&received_through=2026-03-02T00:00:00Z`;
    const { status, body } = await readAs(service, tenant, path);
    expect(status).toBe(200);
    expect(body.usage).toMatchObject({ total: '1' });
  });

  it('lists the events behind the usage, a deleted customer included', async () => {
    const { status, body } = await readAs(service, tenant, `/customers/${alice}/meter-events?meter=calls&${range}`);
    expect(status).toBe(200);
    expect(body).toEqual({
      events: [
        expect.objectContaining({ idempotency_key: 'evt_1', value: null }),
        expect.objectContaining({ idempotency_key: 'evt_2', value: null }),
      ],
      pagination: { has_more: false, next_cursor: null },
    });
    const group = encodeURIComponent(JSON.stringify({ endpoint: '/v1/x' }));
    const ofDeleted = await readAs(
      service,
      tenant,
      `/customers/${deleted}/meter-events?meter=calls&${range}&group=${group}`,
    );
    expect(ofDeleted.status).toBe(200);
    expect(ofDeleted.body.events).toEqual([expect.objectContaining({ idempotency_key: 'evt_3' })]);
  });

  it('is not found for an unknown customer or meter, or another tenant', async () => {
    const notFound = async (path: string, as: Tenant = tenant) => {
      const { status, body } = await readAs(service, as, path);
      expect([path, status, (body.error as { code: string }).code]).toEqual([path, 404, 'NOT_FOUND']);
    };
    await notFound(`/customers/${newResourceId()}/meter-events?meter=calls&${range}`);
    await notFound(`/customers/not-an-id/meter-events?meter=calls&${range}`);
    await notFound(`/customers/${alice}/meter-events?meter=tokens&${range}`);
    await notFound(`/customers/${alice}/meter-events?meter=calls&${range}`, { ...tenant, mode: 'test' });
  });

  it('refuses a bad query with every problem at once, and a group the meter does not have', async () => {
    const bad = await readAs(
      service,
      tenant,
      `/customers/${alice}/meter-events?meter=calls&${range}&limit=501&received_after=2026-03-03T00:00:00Z&received_through=2026-03-02T00:00:00Z`,
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'VALIDATION_ERROR' });
    const group = encodeURIComponent(JSON.stringify({ region: 'eu' }));
    const outside = await readAs(
      service,
      tenant,
      `/customers/${alice}/meter-events?meter=calls&${range}&group=${group}`,
    );
    expect(outside.status).toBe(400);
    expect(outside.body.error).toMatchObject({ code: 'VALIDATION_ERROR', param: 'group' });
  });

  it('answers about a meter it read before in one statement, and about a meter changed since as it is now', async () => {
    const pages: MeterDefinition = { ...calls, code: 'pages', name: 'Pages', group_by: ['endpoint'] };
    await produce(`${topicPrefix}${Topics.meterCommands.name}`, [createMeterCommand(tenant, pages)]);
    await eventually(
      async () => {
        const { rows } = await service.pool.query(
          `SELECT rollup_version = definition_version AS current FROM meters WHERE organization_id = $1 AND code = 'pages'`,
          [tenant.organizationId],
        );
        expect(rows[0]?.current).toBe(true);
      },
      { timeout: 30_000, label: "the meter's rollup is current" },
    );
    const usage = async (query = '') => {
      const asked = vi.spyOn(service.pool, 'query');
      try {
        const { status, body } = await readAs(
          service,
          tenant,
          `/customers/${alice}/meter-usage?meter=pages&${range}${query}`,
        );
        return { status, usage: body.usage as Record<string, unknown>, statements: asked.mock.calls.length };
      } finally {
        asked.mockRestore();
      }
    };
    expect(await usage()).toMatchObject({ status: 200, usage: { total: '2' }, statements: 2 });
    expect(await usage()).toMatchObject({ status: 200, usage: { total: '2' }, statements: 1 });
    // Changed behind the guess: another filter, another group; answered (and refused) for the meter as it is now.
    await service.pool.query(
      `UPDATE meters SET filters = '{"endpoint": ["/v1/y"]}', group_by = '["endpoint", "region"]',
              definition_version = definition_version + 1
        WHERE organization_id = $1 AND code = 'pages'`,
      [tenant.organizationId],
    );
    expect(await usage('&group_by=region')).toMatchObject({ status: 200, usage: { total: '0', group_by: ['region'] } });
    expect(await usage('&group_by=plan')).toMatchObject({ status: 400 });
  });
});
