import {
  type Projection,
  recordStreams,
  type StreamEvents,
  type Tenant,
  type Transaction,
  withTransaction,
} from '@afternoon/service-kit';
import type pg from 'pg';
import { invoiceAggregate } from '../invoices';
import type { SentInvoiceCommand } from '../invoices/businessLogic';
import { enrichBoundaryInvoices } from '../invoices/enrichInvoiceCommand';

/** A boundary's invoice the run built, and the subscription row it was built from. */
export interface BoundaryInvoiceToRecord {
  tenant: Tenant;
  subscriptionId: string;
  /** The subscription row as the pass read it (`md5` of the row): changed since, the invoice may be stale. */
  fingerprint: string;
  command: Extract<SentInvoiceCommand, { type: 'BillSubscriptionPeriod' }>;
}

/** Where the run records invoices: the service's pool, schema, events topic and every projection of its events. */
export interface InvoiceRecorder {
  pool: pg.Pool;
  schema: string;
  eventsTopic: string;
  projections(): readonly Projection[];
}

/** The invoices recorded, and those left for the next pass because their subscription changed since it was read. */
export interface RecordedInvoices {
  recorded: number;
  stale: number;
}

/**
 * Records many boundaries' invoices in one transaction, each exactly as its `BillSubscriptionPeriod` command would
 * (enriched, decided, appended at version 0, projected, queued in the outbox), without the command's trip through
 * Kafka or a transaction of its own. Locks are taken in the command's order (the tenants' number sequences, then the
 * subscription rows), and an invoice whose subscription row changed since the pass read it is left out: the next
 * pass builds it again from the new row. Any failure rolls the whole batch back, numbers included (ADR 0032).
 */
export async function recordBoundaryInvoices(
  recorder: InvoiceRecorder,
  invoices: readonly BoundaryInvoiceToRecord[],
): Promise<RecordedInvoices> {
  if (invoices.length === 0) return { recorded: 0, stale: 0 };
  return withTransaction(recorder.pool, async (tx) => {
    await lockNumberSequences(tx, invoices);
    const current = await lockSubscriptions(tx, invoices);
    const fresh = invoices.filter((invoice) => current.get(invoice.subscriptionId) === invoice.fingerprint);
    await recordInvoices(tx, recorder, fresh);
    return { recorded: fresh.length, stale: invoices.length - fresh.length };
  });
}

/** Takes each tenant's number sequence row lock, tenants in one order, as `nextInvoiceNumber` would one at a time. */
async function lockNumberSequences(tx: Transaction, invoices: readonly BoundaryInvoiceToRecord[]): Promise<void> {
  const tenants = [...new Set(invoices.map(({ tenant }) => `${tenant.organizationId}\u0000${tenant.mode}`))].sort();
  const [organizations, modes] = [tenants.map((t) => t.split('\u0000')[0]), tenants.map((t) => t.split('\u0000')[1])];
  await tx.query(
    `INSERT INTO invoice_number_sequences (organization_id, mode, last_number)
     SELECT organization_id, mode, 0 FROM unnest($1::text[], $2::text[]) AS t(organization_id, mode)
     ON CONFLICT (organization_id, mode) DO UPDATE SET last_number = invoice_number_sequences.last_number`,
    [organizations, modes],
  );
}

/** The batch's subscription rows, locked until the invoices are recorded: their fingerprints by id. */
async function lockSubscriptions(
  tx: Transaction,
  invoices: readonly BoundaryInvoiceToRecord[],
): Promise<Map<string, string>> {
  const ids = [...new Set(invoices.map(({ subscriptionId }) => subscriptionId))].sort();
  const { rows } = await tx.query<{ id: string; fingerprint: string }>(
    `SELECT s.id, md5(s::text) AS fingerprint FROM subscriptions s WHERE s.id = ANY($1) ORDER BY s.id FOR UPDATE`,
    [ids],
  );
  return new Map(rows.map((row) => [row.id, row.fingerprint]));
}

/** The invoices' events, each decided from its command enriched as the command path would, recorded at once. */
async function recordInvoices(
  tx: Transaction,
  recorder: InvoiceRecorder,
  invoices: readonly BoundaryInvoiceToRecord[],
): Promise<void> {
  const aggregate = invoiceAggregate;
  const byTenant = new Map<string, BoundaryInvoiceToRecord[]>();
  for (const invoice of invoices) {
    const key = `${invoice.tenant.organizationId}\u0000${invoice.tenant.mode}`;
    byTenant.set(key, [...(byTenant.get(key) ?? []), invoice]);
  }
  const streams: StreamEvents[] = [];
  for (const group of byTenant.values()) {
    const tenant = (group[0] as BoundaryInvoiceToRecord).tenant;
    const enriched = await enrichBoundaryInvoices(
      tx,
      tenant,
      group.map(({ command }) => command),
    );
    enriched.forEach((command, index) => {
      const { metadata } = (group[index] as BoundaryInvoiceToRecord).command;
      streams.push({
        streamId: aggregate.streamId(command),
        expectedVersion: 0,
        events: aggregate.decider.decide(command, aggregate.decider.initialState()),
        metadata: {
          organization_id: metadata.organization_id,
          mode: metadata.mode,
          occurred_at: metadata.issued_at,
          correlation_id: metadata.correlation_id,
          causation_id: metadata.command_id,
        },
      });
    });
  }
  await recordStreams(tx, recorder.schema, streams, {
    projections: recorder.projections(),
    wireNames: aggregate.eventWireNames,
    topicOf: () => recorder.eventsTopic,
  });
}
