import { InvoiceFinalized } from '@afternoon/contracts/invoices';
import { Topics } from '@afternoon/contracts/topics';
import { type KafkaConnection, type Projection, rebuildProjections, resetConsumedState } from '@afternoon/service-kit';
import type pg from 'pg';
import { invoicingProjections, invoicingServiceName } from './app';
import { customersConsumer } from './customers/knownCustomers';
import { invoiceNumberPattern } from './invoices/invoiceNumbers';
import { metersConsumer } from './plans/knownMeters';

/**
 * `invoice_number_sequences` as the finalized invoices imply it: the highest number per organization and mode.
 * Live, `nextInvoiceNumber` advances it in the finalizing command's transaction, so it never runs ahead of the
 * events; this projection serves rebuilds only, so the next invoice after one continues without gap or duplicate.
 */
const invoiceNumberSequencesProjection: Projection = {
  name: 'invoice_number_sequences',
  tables: ['invoice_number_sequences'],
  handles: ['InvoiceFinalized'],
  async apply(tx, stored) {
    const { invoice_number } = InvoiceFinalized.parse(stored).data;
    // An unparsable number leaves last_number null and fails the rebuild rather than restarting the sequence.
    await tx.query(
      `INSERT INTO invoice_number_sequences (organization_id, mode, last_number)
       VALUES ($1, $2, substring($3 from $4)::int)
       ON CONFLICT (organization_id, mode)
       DO UPDATE SET last_number = GREATEST(invoice_number_sequences.last_number, excluded.last_number)`,
      [stored.metadata.organization_id, stored.metadata.mode, invoice_number, invoiceNumberPattern],
    );
  },
};

/**
 * Drops everything invoicing derived and makes it derive it again: invoices, plans, subscriptions, test clocks,
 * billing settings, pricing units, credit grants and the invoice number sequences from its event store, at once; its copies of customers and
 * meters by replaying `customer.events` and `meter.events` from the first record (kept forever) when the service
 * next starts. Commands are not
 * replayed: the commands group keeps its place and `handled_commands` stays. The service must be stopped.
 */
export async function rebuildInvoicing(options: {
  pool: pg.Pool;
  kafka: KafkaConnection;
  topicPrefix: string;
}): Promise<{ events: number }> {
  await resetConsumedState({
    ...options,
    serviceName: invoicingServiceName,
    consumers: { [customersConsumer.name]: Topics.customerEvents, [metersConsumer.name]: Topics.meterEvents },
    tables: ['invoice_customers', 'known_meters'],
  });
  const projections = [...invoicingProjections, invoiceNumberSequencesProjection];
  return { events: await rebuildProjections(options.pool, projections) };
}
