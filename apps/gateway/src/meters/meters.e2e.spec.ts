import { eventually } from '@afternoon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster, type TestOrganization } from '../../test/testCluster';

const tokensMeter = {
  code: 'llm_tokens',
  name: 'LLM tokens',
  event_name: 'llm.completion',
  aggregation: 'sum',
  property: 'tokens',
  group_by: ['model'],
};

describe('meters through the gateway', () => {
  let cluster: TestCluster;
  let acme: TestOrganization;
  let globex: TestOrganization;

  beforeAll(async () => {
    cluster = await startTestCluster();
    acme = await cluster.createOrganization('Acme Inc.');
    globex = await cluster.createOrganization('Globex');
  });
  afterAll(() => cluster.stop());

  it('creates, reads, lists, changes and archives a meter, within its organization and mode', async () => {
    const created = await acme.live.post('/v1/meters', tokensMeter);
    expect(created.status).toBe(201);
    expect(created.body.meter).toMatchObject({ ...tokensMeter, filters: {}, status: 'active', archived_at: null });
    expect(created.body.meter.id).toMatch(/^[a-z][a-z0-9]{24}$/);

    const again = await acme.live.post('/v1/meters', tokensMeter);
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'CONFLICT', param: 'code' });

    expect((await acme.live.get('/v1/meters/llm_tokens')).body.meter).toEqual(created.body.meter);
    expect((await acme.live.get('/v1/meters')).body.meters.map((meter: { code: string }) => meter.code)).toEqual([
      'llm_tokens',
    ]);
    // Another organization, and the same organization's test mode, have no such meter.
    expect((await globex.live.get('/v1/meters/llm_tokens')).status).toBe(404);
    expect((await acme.test.get('/v1/meters')).body.meters).toEqual([]);

    const renamed = await acme.live.patch('/v1/meters/llm_tokens', { name: 'Tokens', filters: { region: ['eu'] } });
    expect(renamed.status).toBe(200);
    expect(renamed.body.meter).toMatchObject({ name: 'Tokens', filters: { region: ['eu'] }, aggregation: 'sum' });
    const measureChange = await acme.live.patch('/v1/meters/llm_tokens', { aggregation: 'max' });
    expect(measureChange.status).toBe(400);

    const archived = await acme.live.post('/v1/meters/llm_tokens/archive');
    expect(archived.status).toBe(200);
    expect(archived.body.meter).toMatchObject({ status: 'archived' });
    expect(archived.body.meter.archived_at).not.toBeNull();
    expect((await acme.live.post('/v1/meters/llm_tokens/archive')).body.error.code).toBe('INVALID_STATE');
    expect((await acme.live.get('/v1/meters?status=active')).body.meters).toEqual([]);
  });

  it('refuses a bad definition, naming the field', async () => {
    const noProperty = await acme.live.post('/v1/meters', { ...tokensMeter, code: 'no_property', property: undefined });
    expect(noProperty.status).toBe(400);
    expect(noProperty.body.error).toMatchObject({ code: 'VALIDATION_ERROR', param: 'property' });
    const badCode = await acme.live.post('/v1/meters', { ...tokensMeter, code: 'Bad-Code' });
    expect(badCode.body.error).toMatchObject({ code: 'VALIDATION_ERROR', param: 'code' });
    expect((await acme.live.get('/v1/meters/Bad-Code')).status).toBe(404);
  });

  it('meters events that arrived before the meter existed, and says how far it has processed', async () => {
    const customer = (await acme.test.post('/v1/customers', { name: 'Early Bird' })).body.customer.id as string;
    const other = (await acme.test.post('/v1/customers', { name: 'Other' })).body.customer.id as string;
    const event = (key: string, customerId: string, timestamp: string, properties: Record<string, unknown>) => ({
      event_name: 'llm.completion',
      idempotency_key: key,
      customer_id: customerId,
      timestamp,
      properties,
    });
    const ingested = await acme.test.post('/v1/events/ingest', {
      events: [
        event('e1', customer, '2026-02-01T09:10:00Z', { tokens: 0.1, model: 'gpt-4' }),
        event('e2', customer, '2026-02-01T09:50:00Z', { tokens: 0.2, model: 'gpt-4' }),
        event('e3', customer, '2026-02-01T10:05:00Z', { tokens: 3, model: 'claude' }),
        event('e4', customer, '2026-02-01T10:30:00Z', { model: 'claude' }),
        event('e5', other, '2026-02-01T10:00:00Z', { tokens: 40, model: 'gpt-4' }),
      ],
    });
    expect(ingested.status).toBe(200);
    const acceptedAt = new Date().toISOString();

    expect((await acme.test.post('/v1/meters', tokensMeter)).status).toBe(201);
    const range = 'from=2026-02-01T09:00:00Z&to=2026-02-01T11:00:00Z';
    const path = `/v1/customers/${customer}/usage?meter=llm_tokens&${range}&window=hour&group_by=model`;
    // Once metering says it has processed past the moment the batch was accepted, the answer must hold it all.
    const usage = await eventually(
      async () => {
        const answer = await acme.test.get(path);
        expect(answer.status).toBe(200);
        expect(answer.body.usage.processed_through >= acceptedAt).toBe(true);
        return answer.body.usage;
      },
      { label: 'metering processed past the ingest' },
    );
    expect(usage).toMatchObject({
      meter: 'llm_tokens',
      customer_id: customer,
      window: 'hour',
      group_by: ['model'],
      // 0.1 + 0.2 + 3; e4 has no tokens
      total: '3.3',
      excluded_events: { missing_property: 1, not_numeric: 0 },
    });
    expect(usage.windows).toEqual([
      {
        start: '2026-02-01T09:00:00.000Z',
        end: '2026-02-01T10:00:00.000Z',
        value: '0.3',
        groups: [{ key: { model: 'gpt-4' }, value: '0.3' }],
      },
      {
        start: '2026-02-01T10:00:00.000Z',
        end: '2026-02-01T11:00:00.000Z',
        value: '3',
        groups: [{ key: { model: 'claude' }, value: '3' }],
      },
    ]);

    // Narrowing the meter afterwards re-reads the same stored events.
    await acme.test.patch('/v1/meters/llm_tokens', { filters: { model: ['claude'] } });
    const narrowed = await acme.test.get(`/v1/customers/${customer}/usage?meter=llm_tokens&${range}`);
    expect(narrowed.body.usage.total).toBe('3');

    const ranking = await acme.test.get(`/v1/meters/llm_tokens/usage?${range}`);
    expect(ranking.status).toBe(200);
    // claude only now: the early bird's 3; the other customer used gpt-4
    expect(ranking.body.usage.customers).toEqual([{ customer_id: customer, value: '3' }]);
  });

  it("keeps a deleted customer's usage readable, and refuses new usage for them", async () => {
    const customer = (await acme.live.post('/v1/customers', { name: 'Leaving Soon' })).body.customer.id as string;
    expect((await acme.live.post('/v1/meters', { ...tokensMeter, code: 'leaving_tokens' })).status).toBe(201);
    const usageEvent = (key: string) => ({
      event_name: 'llm.completion',
      idempotency_key: key,
      customer_id: customer,
      timestamp: '2026-03-01T10:00:00Z',
      properties: { tokens: 12.5, model: 'gpt-4' },
    });
    expect((await acme.live.post('/v1/events/ingest', { events: [usageEvent('before-delete')] })).status).toBe(200);
    const path = `/v1/customers/${customer}/usage?meter=leaving_tokens&from=2026-03-01T00:00:00Z&to=2026-03-02T00:00:00Z`;
    await eventually(async () => expect((await acme.live.get(path)).body.usage?.total).toBe('12.5'));

    expect((await acme.live.delete(`/v1/customers/${customer}`)).status).toBe(200);
    // Its last period still gets billed, so its usage stays readable...
    const after = await acme.live.get(path);
    expect(after.status).toBe(200);
    expect(after.body.usage.total).toBe('12.5');
    // ...but it takes no new usage.
    const refused = await acme.live.post('/v1/events/ingest', { events: [usageEvent('after-delete')] });
    expect(refused.status).toBe(400);
    expect(refused.body.error.details[0].param).toBe('events[0].customer_id');
  });

  it('answers usage questions it cannot answer with clear errors', async () => {
    const customer = (await acme.live.post('/v1/customers', { name: 'Query Errors' })).body.customer.id as string;
    const base = `/v1/customers/${customer}/usage?from=2026-02-01T00:00:00Z&to=2026-03-01T00:00:00Z`;
    const unknownMeter = await acme.live.get(`${base}&meter=nothing_here`);
    expect(unknownMeter.status).toBe(404);
    expect((await acme.live.post('/v1/meters', { ...tokensMeter, code: 'query_errors' })).status).toBe(201);
    const tooFine = await acme.live.get(`${base}&meter=query_errors&window=minute`);
    expect(tooFine.status).toBe(400);
    expect(tooFine.body.error.param).toBe('window');
    const notGrouped = await acme.live.get(`${base}&meter=query_errors&group_by=region`);
    expect(notGrouped.body.error).toMatchObject({ code: 'VALIDATION_ERROR', param: 'group_by' });
    const backwards = await acme.live.get(
      `/v1/customers/${customer}/usage?meter=query_errors&from=2026-03-01T00:00:00Z&to=2026-02-01T00:00:00Z`,
    );
    expect(backwards.body.error.param).toBe('to');
  });
});
