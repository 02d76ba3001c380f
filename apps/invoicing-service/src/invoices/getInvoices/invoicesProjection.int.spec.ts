import type { InvoiceStreamEvent } from '@afternoon/contracts/invoices';
import { createPool, migrate, type StoredEvent, withTransaction } from '@afternoon/service-kit';
import { dropSchemas, testInfra, uniqueName } from '@afternoon/testkit';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrationsDir } from '../../app';
import { nextInvoiceNumber, nextInvoiceNumbers } from '../invoiceNumbers';
import { at, invoiceAfter, openInvoice } from '../openInvoice.testing';
import { invoicesProjection } from '.';

const tenant = { organizationId: 'org_1', mode: 'live' as const };
const firstId = 'cinvoice00000000000000001';
const otherId = 'cinvoice00000000000000002';

/** `openInvoice`'s events with ids of the shape the contract checks (the unit specs' ids are longer). */
function invoiceEvents(id: string, currency: string, count: number): InvoiceStreamEvent[] {
  return openInvoice(currency)
    .slice(0, count)
    .map((event) => {
      const data = event.data as Record<string, unknown>;
      const lines = data.line_items as { id: string }[] | undefined;
      return {
        ...event,
        data: {
          ...data,
          invoice_id: id,
          ...(data.customer_id ? { customer_id: 'ccustomer0000000000000001' } : {}),
          ...(lines ? { line_items: lines.map((line) => ({ ...line, id: 'cline00000000000000000001' })) } : {}),
        },
      } as InvoiceStreamEvent;
    });
}

/** The events as the store gives them back: invoice `id`'s stream, versions from 1. */
function stored(id: string, events: InvoiceStreamEvent[], fromVersion = 1): StoredEvent[] {
  return events.map((event, index) => ({
    ...event,
    eventId: `${id}-${fromVersion + index}`,
    streamId: `invoice-${id}`,
    version: fromVersion + index,
    position: String(index),
    transactionId: '1',
    metadata: {
      organization_id: tenant.organizationId,
      mode: tenant.mode,
      occurred_at: '2026-01-10T00:00:00.000Z',
      correlation_id: 'req_1',
      causation_id: 'cmd_1',
    },
  }));
}

describe('the invoices projection over a batch of invoices (the billing run records many at once)', () => {
  const schema = uniqueName('invoices_projection');
  let pool: pg.Pool;
  const rows = async () => (await pool.query('SELECT id, status, version, document FROM invoices ORDER BY id')).rows;

  beforeAll(async () => {
    pool = createPool({ url: testInfra().databaseUrl, schema, applicationName: 'invoices-projection-test' });
    await migrate(pool, schema, migrationsDir);
  });
  afterAll(async () => {
    await pool?.end();
    await dropSchemas(schema);
  });

  it('folds each invoice of the batch as event-by-event application would, and changes nothing applied again', async () => {
    const open = invoiceEvents(firstId, 'usd', 2);
    const draft = invoiceEvents(otherId, 'eur', 1);
    const batch = [...stored(firstId, open), ...stored(otherId, draft)];
    await withTransaction(pool, (tx) => invoicesProjection.applyAll?.(tx, batch) ?? Promise.resolve());

    const expected = [
      { id: firstId, status: 'open', version: 2, document: invoiceAfter(open) },
      { id: otherId, status: 'draft', version: 1, document: invoiceAfter(draft) },
    ];
    expect(await rows()).toEqual(expected);

    await withTransaction(pool, (tx) => invoicesProjection.applyAll?.(tx, batch) ?? Promise.resolve());
    expect(await rows()).toEqual(expected);

    // One event at a time, the way a command's transaction applies it: the draft deleted, then nothing left of it.
    const deletion = { type: 'InvoiceDeleted', data: { ...at({}), invoice_id: otherId } } as InvoiceStreamEvent;
    const deleted = stored(otherId, [deletion], 2);
    await withTransaction(pool, (tx) => invoicesProjection.apply(tx, deleted[0] as StoredEvent));
    expect(await rows()).toEqual(expected.slice(0, 1));
  });

  it('takes a run of invoice numbers at once, continuing the sequence one number at a time does', async () => {
    const numbers = await withTransaction(pool, async (tx) => [
      await nextInvoiceNumber(tx, tenant),
      ...(await nextInvoiceNumbers(tx, tenant, 3)),
      await nextInvoiceNumber(tx, tenant),
    ]);
    expect(numbers).toEqual(['INV-0001', 'INV-0002', 'INV-0003', 'INV-0004', 'INV-0005']);
  });
});
