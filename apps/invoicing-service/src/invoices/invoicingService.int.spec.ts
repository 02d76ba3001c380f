import { randomUUID } from 'node:crypto';
import { Topics } from '@afternoon/contracts/topics';
import { type RunningService, rebuildProjections } from '@afternoon/service-kit';
import { collectTopic, dropSchemas, dropTopics, eventually, produce, serviceEnv, uniqueName } from '@afternoon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invoicingProjections, startInvoicingService } from '../app';

const organizationId = 'org_int_test';
const terms = { collection_method: 'send_invoice', days_until_due: 14, due_date: null, memo: null, metadata: {} };
const line = (id: string) => ({ id, description: 'Seats', quantity: '1.5', unit_amount_cents: 333 });

function command(type: string, data: { invoice_id: string }, commandId = `cmd_${randomUUID()}`) {
  return {
    key: data.invoice_id,
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

/** A record exactly as customer-service publishes it on `customer.events`. */
function customerEvent(customerId: string, version: number, type: string, data: Record<string, unknown>) {
  return {
    key: `customer-${customerId}`,
    value: JSON.stringify({
      event_id: randomUUID(),
      type: `afternoon.customers.v1.${type}`,
      stream_id: `customer-${customerId}`,
      version,
      data: { customer_id: customerId, ...data },
      metadata: {
        organization_id: organizationId,
        mode: 'live',
        occurred_at: new Date().toISOString(),
        correlation_id: 'req_x',
        causation_id: 'cmd_x',
      },
    }),
  };
}

const details = (name: string) => ({
  name,
  first_name: null,
  last_name: null,
  email: `${name.toLowerCase().replaceAll(' ', '.')}@example.com`,
  phone: null,
  url: null,
  external_id: null,
  billing_address: { line1: '1 Main St', country: 'US' },
  shipping_address: null,
  metadata: {},
});
const created = (id: string, name: string) =>
  customerEvent(id, 1, 'customer_created', { details: details(name), created_at: new Date().toISOString() });

describe('invoicing-service on real Kafka and Postgres', () => {
  const schema = uniqueName('invoicing');
  const topicPrefix = `${uniqueName('is')}.`;
  const commandsTopic = `${topicPrefix}${Topics.invoiceCommands.name}`;
  const customerTopic = `${topicPrefix}${Topics.customerEvents.name}`;
  let service: RunningService;
  let replies: Awaited<ReturnType<typeof collectTopic>>;

  beforeAll(async () => {
    service = await startInvoicingService(serviceEnv(schema, topicPrefix));
    replies = await collectTopic(`${topicPrefix}${Topics.gatewayReplies.name}`);
  });
  afterAll(async () => {
    await replies.stop();
    await service.stop();
    await dropSchemas(schema);
    await dropTopics(topicPrefix);
  });

  const replyTo = (commandId: string) =>
    eventually(() => {
      const found = replies.messages
        .map((message) => JSON.parse(message.value ?? 'null'))
        .filter((reply) => reply?.command_id === commandId);
      expect(found.length).toBeGreaterThan(0);
      return found[0];
    });
  const send = async (sent: ReturnType<typeof command>) => {
    await produce(commandsTopic, [sent]);
    return replyTo(JSON.parse(sent.value).metadata.command_id);
  };
  const customerRow = async (id: string) =>
    (await service.pool.query('SELECT * FROM invoice_customers WHERE id = $1', [id])).rows[0];

  it('learns customers from customer.events: once each, in version order, deleted ones marked', async () => {
    const id = 'ccustomerlearned000000001';
    const renamed = customerEvent(id, 2, 'customer_updated', {
      changes: { name: 'Renamed', email: null },
      updated_at: new Date().toISOString(),
    });
    await produce(customerTopic, [
      { key: 'junk', value: 'not json' },
      created(id, 'Learned'),
      renamed,
      created(id, 'Learned'),
      renamed,
    ]);
    await eventually(async () => expect((await customerRow(id))?.version).toBe(2));
    expect(await customerRow(id)).toMatchObject({
      name: 'Renamed',
      email: null,
      billing_address: { line1: '1 Main St', country: 'US' },
      deleted_at: null,
    });

    await produce(customerTopic, [customerEvent(id, 3, 'customer_deleted', { deleted_at: new Date().toISOString() })]);
    await eventually(async () => expect((await customerRow(id))?.deleted_at).not.toBeNull());
    const refused = await send(
      command('CreateInvoice', {
        invoice_id: 'cinvoicedeleted0000000001',
        customer_id: id,
        terms,
        currency: 'usd',
        line_items: [],
      } as never),
    );
    expect(refused).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', param: 'customer_id' } });
  });

  it('catches up with customer.events before refusing a customer it has not heard of yet', async () => {
    const id = 'ccustomerjustnow000000001';
    await produce(customerTopic, [created(id, 'Just Now')]);
    const reply = await send(
      command('CreateInvoice', {
        invoice_id: 'cinvoicejustnow0000000001',
        customer_id: id,
        terms,
        currency: 'usd',
        line_items: [line('clinejustnow0000000000001')],
      } as never),
    );
    expect(reply).toMatchObject({
      ok: true,
      result: { customer_name: 'Just Now', status: 'draft', total_cents: 500 }, // 1.5 × 333 = 499.5 → 500
    });
  });

  it('refuses an invoice, and a subscription period bill, for a customer it has never heard of', async () => {
    const unknown = 'ccustomerneverheard000001';
    const created = await send(
      command('CreateInvoice', {
        invoice_id: 'cinvoiceneverheard0000001',
        customer_id: unknown,
        terms,
        currency: 'usd',
        line_items: [],
      } as never),
    );
    expect(created).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', param: 'customer_id' } });
    const billed = await send(
      command('BillSubscriptionPeriod', {
        invoice_id: 'cinvoiceneverheard0000002',
        customer_id: unknown,
        billing: {
          subscription_id: 'csubscriptionneverheard01',
          boundary: '2026-02-01T00:00:00.000Z',
          billing_reason: 'subscription_cycle',
          usage_received_through: null,
        },
        terms,
        currency: 'usd',
        line_items: [],
        public_invoice_url: 'http://x/inv/never',
      } as never),
    );
    expect(billed).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', param: 'customer_id' } });
  });

  it('numbers finalized invoices and rebuilds its read model to exactly the same rows', async () => {
    const customerId = 'ccustomernumbering0000001';
    await produce(customerTopic, [created(customerId, 'Numbered')]);
    const ids = Array.from({ length: 3 }, (_, index) => `cinvoicenumbered00000000${index}`);
    for (const id of ids) {
      const reply = await send(
        command('CreateInvoice', {
          invoice_id: id,
          customer_id: customerId,
          terms,
          currency: 'usd',
          line_items: [],
        } as never),
      );
      expect(reply.ok).toBe(true);
    }
    const numbers = [];
    for (const id of ids) {
      const reply = await send(
        command('FinalizeInvoice', { invoice_id: id, public_invoice_url: `http://x/inv/${id}` } as never),
      );
      numbers.push(reply.result.invoice_number);
    }
    expect(numbers).toEqual(['INV-0001', 'INV-0002', 'INV-0003']);
    const refused = await send(
      command('FinalizeInvoice', { invoice_id: ids[0] as string, public_invoice_url: 'http://x/inv/again' } as never),
    );
    expect(refused).toMatchObject({ ok: false, error: { code: 'INVALID_STATE' } });
    expect(refused.error.message).toContain("'open'");
    await send(command('PayInvoice', { invoice_id: ids[1] as string }));

    const snapshot = async () => (await service.pool.query('SELECT * FROM invoices ORDER BY id')).rows;
    const before = await snapshot();
    await service.pool.query("UPDATE invoices SET status = 'corrupted'");
    await rebuildProjections(service.pool, invoicingProjections);
    expect(await snapshot()).toEqual(before);

    const next = await send(
      command('CreateInvoice', {
        invoice_id: 'cinvoicenumbered000000009',
        customer_id: customerId,
        terms,
        currency: 'usd',
        line_items: [],
      } as never),
    );
    expect(next.ok).toBe(true);
    const fourth = await send(
      command('FinalizeInvoice', {
        invoice_id: 'cinvoicenumbered000000009',
        public_invoice_url: 'http://x/inv/4',
      } as never),
    );
    expect(fourth.result.invoice_number).toBe('INV-0004'); // the refused finalize above used no number
  });
});
