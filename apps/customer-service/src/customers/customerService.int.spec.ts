import { randomUUID } from 'node:crypto';
import { Headers } from '@afternoon/contracts/messaging';
import { Topics } from '@afternoon/contracts/topics';
import { type RunningService, rebuildProjections } from '@afternoon/service-kit';
import { collectTopic, dropSchemas, dropTopics, eventually, produce, serviceEnv, uniqueName } from '@afternoon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customerProjections, startCustomerService } from '../app';

const organizationId = 'org_int_test';

function command(type: string, data: unknown, commandId = `cmd_${randomUUID()}`) {
  return {
    key: (data as { customer_id: string }).customer_id,
    value: JSON.stringify({
      type,
      data,
      metadata: {
        command_id: commandId,
        correlation_id: `req_${commandId}`,
        request_id: `req_${commandId}`,
        organization_id: organizationId,
        mode: 'live',
        issued_at: new Date().toISOString(),
      },
    }),
  };
}

const details = (name: string, externalId: string | null = null) => ({
  name,
  first_name: null,
  last_name: null,
  email: `${name.toLowerCase()}@example.com`,
  phone: null,
  url: null,
  external_id: externalId,
  billing_address: null,
  shipping_address: null,
  metadata: {},
});

describe('customer-service on real Kafka and Postgres', () => {
  const schema = uniqueName('customers');
  const topicPrefix = `${uniqueName('cs')}.`;
  let service: RunningService;
  let replies: Awaited<ReturnType<typeof collectTopic>>;
  let events: Awaited<ReturnType<typeof collectTopic>>;

  beforeAll(async () => {
    service = await startCustomerService(serviceEnv(schema, topicPrefix));
    replies = await collectTopic(`${topicPrefix}${Topics.gatewayReplies.name}`);
    events = await collectTopic(`${topicPrefix}${Topics.customerEvents.name}`);
  });
  afterAll(async () => {
    await replies.stop();
    await events.stop();
    await service.stop();
    await dropSchemas(schema);
    await dropTopics(topicPrefix);
  });

  const replyTo = (commandId: string) =>
    eventually(() => {
      const found = replies.messages
        .map((message) => JSON.parse(message.value!))
        .filter((r) => r.command_id === commandId);
      expect(found.length).toBeGreaterThan(0);
      return found;
    });

  it('decides commands, publishes versioned events keyed by stream, and answers each command id once', async () => {
    const id = 'cintegration00000000000001';
    const create = command(
      'CreateCustomer',
      { customer_id: id.slice(0, 25), details: details('Alpha', 'ext_alpha') },
      'cmd_create_alpha',
    );
    await produce(`${topicPrefix}${Topics.customerCommands.name}`, [create]);
    const [reply] = await replyTo('cmd_create_alpha');
    expect(reply).toMatchObject({ ok: true, result: { id: id.slice(0, 25), name: 'Alpha', external_id: 'ext_alpha' } });

    await eventually(() => expect(events.messages.some((m) => m.key === `customer-${id.slice(0, 25)}`)).toBe(true));
    const published = events.messages.find((m) => m.key === `customer-${id.slice(0, 25)}`)!;
    expect(published.headers[Headers.eventType]).toBe('afternoon.customers.v1.customer_created');
    expect(JSON.parse(published.value!)).toMatchObject({
      type: 'afternoon.customers.v1.customer_created',
      stream_id: `customer-${id.slice(0, 25)}`,
      version: 1,
      metadata: { organization_id: organizationId, mode: 'live', causation_id: 'cmd_create_alpha' },
    });

    // The same command again (a redelivery or a gateway retry) gets the same answer and changes nothing.
    await produce(`${topicPrefix}${Topics.customerCommands.name}`, [create]);
    await eventually(async () => expect(await replyTo('cmd_create_alpha')).toHaveLength(2));
    const all = await replyTo('cmd_create_alpha');
    expect(all[1]).toEqual(all[0]);
    const { rows } = await service.pool.query('SELECT count(*)::int AS n FROM events WHERE stream_id = $1', [
      `customer-${id.slice(0, 25)}`,
    ]);
    expect(rows[0].n).toBe(1);
  });

  it('refuses a command for a customer another organization owns', async () => {
    const foreign = JSON.parse(
      command('DeleteCustomer', { customer_id: 'cintegration0000000000000' }, 'cmd_foreign').value,
    );
    foreign.metadata.organization_id = 'org_somebody_else';
    await produce(`${topicPrefix}${Topics.customerCommands.name}`, [{ key: 'x', value: JSON.stringify(foreign) }]);
    const [reply] = await replyTo('cmd_foreign');
    expect(reply).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('refuses only the creation whose external id is taken, in a run of creations on one partition', async () => {
    const creations = [
      ['cdupfirst0000000000000000', 'ext_dup', 'cmd_dup_first'],
      ['cdupsecond000000000000000', 'ext_dup', 'cmd_dup_second'],
      ['cdupother0000000000000000', 'ext_other', 'cmd_dup_other'],
    ].map(([id, externalId, commandId]) => ({
      ...command('CreateCustomer', { customer_id: id, details: details('Dup', externalId) }, commandId),
      key: 'one-partition',
    }));
    await produce(`${topicPrefix}${Topics.customerCommands.name}`, creations);

    const [first, second, other] = (
      await Promise.all(['cmd_dup_first', 'cmd_dup_second', 'cmd_dup_other'].map(replyTo))
    ).map((found) => found?.[0]);
    expect(first).toMatchObject({ ok: true, result: { id: 'cdupfirst0000000000000000', external_id: 'ext_dup' } });
    expect(second).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT', message: "external_id 'ext_dup' is already used by another customer" },
    });
    expect(other).toMatchObject({ ok: true, result: { id: 'cdupother0000000000000000' } });
    const { rows } = await service.pool.query("SELECT id FROM customers WHERE name = 'Dup' ORDER BY id");
    expect(rows.map((row) => row.id)).toEqual(['cdupfirst0000000000000000', 'cdupother0000000000000000']);
  });

  it('rebuilds its read model from the event store to exactly the same rows', async () => {
    const ids = Array.from({ length: 6 }, (_, index) => `crebuild${String(index).padStart(17, '0')}`);
    const commands = [
      ...ids.map((id, index) =>
        command('CreateCustomer', { customer_id: id, details: details(`Name${index}`, `ext_${index}`) }),
      ),
      command('UpdateCustomer', { customer_id: ids[1], changes: { name: 'Renamed', external_id: null } }),
      command('UpdateCustomer', { customer_id: ids[2], changes: { metadata: { tier: 'gold' } } }),
      command('DeleteCustomer', { customer_id: ids[3] }),
    ];
    // Commands for different customers land on different partitions, so wait for every reply.
    const answered = (batch: typeof commands) =>
      Promise.all(batch.map((sent) => replyTo(JSON.parse(sent.value).metadata.command_id)));
    await produce(`${topicPrefix}${Topics.customerCommands.name}`, commands);
    await answered(commands);
    const taker = [
      command('CreateCustomer', { customer_id: 'crebuildtaken000000000000', details: details('Taker', 'ext_1') }),
    ];
    await produce(`${topicPrefix}${Topics.customerCommands.name}`, taker);
    await answered(taker);
    commands.push(...taker);

    const snapshot = async () => (await service.pool.query('SELECT * FROM customers ORDER BY id')).rows;
    const before = await snapshot();
    expect(before.map((row) => row.name)).toEqual(expect.arrayContaining(['Renamed', 'Taker']));
    expect(before.map((row) => row.id)).not.toContain(ids[3]);

    await service.pool.query("UPDATE customers SET name = 'corrupted'");
    const replayed = await rebuildProjections(service.pool, customerProjections);
    expect(replayed).toBeGreaterThanOrEqual(commands.length);
    expect(await snapshot()).toEqual(before);
  });
});
