import type { MeterDefinition } from '@afternoon/contracts/meters';
import { MeterUsageBatchAnswer, maxMeterUsageBatchItems } from '@afternoon/contracts/meterUsageBatch';
import { Topics } from '@afternoon/contracts/topics';
import {
  internalApiHeaders,
  newResourceId,
  type RunningService,
  type Tenant,
  TenantHeaders,
} from '@afternoon/service-kit';
import {
  customerCreatedRecord,
  customerDeletedRecord,
  dropSchemas,
  dropTopics,
  eventually,
  produce,
  serviceEnv,
  testInternalApiToken,
  uniqueName,
} from '@afternoon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMeterCommand, readAs } from '../../test/records';
import { insertUsageEvent } from '../../test/storedRows';
import { startMeteringService } from '../app';

const tenant: Tenant = { organizationId: 'org_meter_usage_batch', mode: 'live' };
const alice = newResourceId();
const deleted = newResourceId();
const day = { from: '2026-03-01T00:00:00Z', to: '2026-03-02T00:00:00Z' };

const calls: MeterDefinition = {
  code: 'calls',
  name: 'Calls',
  event_name: 'api.request',
  aggregation: 'count',
  property: null,
  filters: {},
  group_by: ['endpoint'],
};
const tokens: MeterDefinition = {
  code: 'tokens',
  name: 'Tokens',
  event_name: 'llm.completion',
  aggregation: 'sum',
  property: 'tokens',
  filters: {},
  group_by: [],
};

describe('the usage of many (customer, meter, period) in one request', () => {
  const schema = uniqueName('meter_usage_batch');
  const topicPrefix = `${uniqueName('meter_usage_batch')}.`;
  let service: RunningService;

  const ask = async (body: unknown, as: Tenant = tenant) => {
    const response = await fetch(`http://127.0.0.1:${service.port}/meter-usage/batch`, {
      method: 'POST',
      headers: {
        ...internalApiHeaders(testInternalApiToken),
        [TenantHeaders.organizationId]: as.organizationId,
        [TenantHeaders.mode]: as.mode,
        'content-type': 'application/json',
      },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    service = await startMeteringService(serviceEnv(schema, topicPrefix));
    await produce(`${topicPrefix}${Topics.customerEvents.name}`, [
      customerCreatedRecord(tenant, alice),
      customerCreatedRecord(tenant, deleted),
      customerDeletedRecord(tenant, deleted, '2026-03-05T00:00:00.000Z'),
    ]);
    await produce(`${topicPrefix}${Topics.meterCommands.name}`, [
      createMeterCommand(tenant, calls),
      createMeterCommand(tenant, tokens),
    ]);
    await eventually(async () => expect((await readAs(service, tenant, '/meters/tokens')).status).toBe(200), {
      timeout: 30_000,
      label: 'the meters are created',
    });
    const events = [
      ['evt_1', alice, 'api.request', { endpoint: '/v1/a' }, '2026-03-01T10:00:00Z'],
      ['evt_2', alice, 'api.request', { endpoint: '/v1/b' }, '2026-03-01T11:00:00Z'],
      ['evt_3', alice, 'api.request', { endpoint: '/v1/a' }, '2026-03-02T10:00:00Z'],
      ['evt_4', alice, 'llm.completion', { tokens: 1.5 }, '2026-03-01T10:00:00Z'],
      ['evt_5', alice, 'llm.completion', { tokens: 2.25 }, '2026-03-01T12:00:00Z'],
      ['evt_6', deleted, 'api.request', { endpoint: '/v1/a' }, '2026-03-01T10:00:00Z'],
    ] as const;
    for (const [key, customerId, eventName, properties, receivedAt] of events)
      await insertUsageEvent(service.pool, tenant, {
        key,
        eventName,
        customerId,
        timestamp: '2026-03-01T10:00:00Z',
        properties,
        receivedAt,
      });
  });
  afterAll(async () => {
    await service?.stop();
    await dropSchemas(schema);
    await dropTopics(topicPrefix);
  });

  it("answers each question in the order asked, grouped by its meter's own group_by, with one horizon", async () => {
    const { status, body } = await ask({
      items: [
        { customer_id: alice, meter: 'calls', ...day },
        { customer_id: alice, meter: 'calls', ...day, received_through: '2026-03-02T00:00:00Z' },
        { customer_id: alice, meter: 'calls', ...day, received_after: '2026-03-01T10:30:00Z' },
        { customer_id: alice, meter: 'tokens', ...day },
        { customer_id: deleted, meter: 'calls', ...day },
      ],
    });
    expect(status).toBe(200);
    const answer = MeterUsageBatchAnswer.parse(body);
    expect(Date.parse(answer.processed_through)).not.toBeNaN();
    expect(answer.usage).toEqual([
      // evt_1, evt_2 and evt_3: two calls of /v1/a and one of /v1/b.
      {
        total: '3',
        groups: [
          { key: { endpoint: '/v1/a' }, value: '2' },
          { key: { endpoint: '/v1/b' }, value: '1' },
        ],
      },
      // Received by the end of the day: evt_1 and evt_2.
      {
        total: '2',
        groups: [
          { key: { endpoint: '/v1/a' }, value: '1' },
          { key: { endpoint: '/v1/b' }, value: '1' },
        ],
      },
      // Received after 10:30: evt_2 and evt_3.
      {
        total: '2',
        groups: [
          { key: { endpoint: '/v1/a' }, value: '1' },
          { key: { endpoint: '/v1/b' }, value: '1' },
        ],
      },
      // 1.5 + 2.25 tokens; the meter does not group.
      { total: '3.75' },
      // A deleted customer's usage is still billed.
      { total: '1', groups: [{ key: { endpoint: '/v1/a' }, value: '1' }] },
    ]);
  });

  it('refuses the whole batch for an unknown customer or meter, or another tenant', async () => {
    const notFound = async (item: Record<string, string>, as: Tenant = tenant) => {
      const { status, body } = await ask({ items: [{ customer_id: alice, meter: 'calls', ...day }, item] }, as);
      expect([status, (body.error as { code: string }).code]).toEqual([404, 'NOT_FOUND']);
    };
    await notFound({ customer_id: newResourceId(), meter: 'calls', ...day });
    await notFound({ customer_id: alice, meter: 'requests', ...day });
    await notFound({ customer_id: alice, meter: 'calls', ...day }, { ...tenant, mode: 'test' });
  });

  it('refuses a malformed batch naming the field, and one past its bound', async () => {
    const item = { customer_id: alice, meter: 'calls', ...day };
    const refused = async (items: unknown[]) => {
      const { status, body } = await ask({ items });
      expect(status).toBe(400);
      return body.error;
    };
    const problem = (param: string) => ({ code: 'VALIDATION_ERROR', param });
    expect(await refused([{ ...item, from: day.to, to: day.from }])).toMatchObject(problem('items[0].to'));
    expect(await refused([item, { ...item, customer_id: 'not-an-id' }])).toMatchObject(problem('items[1].customer_id'));
    expect(await refused([{ ...item, received_after: day.to, received_through: day.from }])).toMatchObject(
      problem('items[0].received_through'),
    );
    expect(await refused(Array.from({ length: maxMeterUsageBatchItems + 1 }, () => item))).toMatchObject(
      problem('items'),
    );
    expect(await refused([])).toMatchObject(problem('items'));
  });
});
