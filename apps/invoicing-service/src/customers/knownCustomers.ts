import type { CustomerScope } from '@afternoon/contracts/customers';
import { CustomerEvent, customerEventWireNames } from '@afternoon/contracts/customers';
import type { InvoiceCustomer } from '@afternoon/contracts/invoices';
import { Topics } from '@afternoon/contracts/topics';
import {
  type CommandContext,
  type ForeignEvent,
  foreignProjection,
  NotFoundError,
  type Queryable,
  type Tenant,
  type Transaction,
} from '@afternoon/service-kit';

/**
 * Keeps `invoice_customers` in step with `customer.events`. Each row remembers the stream version it reflects,
 * so a redelivered or older event changes nothing.
 */
export const customersConsumer = foreignProjection({
  name: 'customers',
  topic: Topics.customerEvents,
  deadLetterTopic: Topics.consumerDeadLetter,
  schema: CustomerEvent,
  wireNames: customerEventWireNames,
  handlers: {
    CustomerCreated: (tx, event, source) => insertInvoiceCustomers(tx, [{ event, source }]),
    async CustomerUpdated(tx, event, { metadata, version }) {
      const { name, email, billing_address, shipping_address } = event.data.changes;
      await tx.query(
        `UPDATE invoice_customers SET
           name = COALESCE($3, name),
           email = CASE WHEN $4 THEN $5 ELSE email END,
           billing_address = CASE WHEN $6 THEN $7::jsonb ELSE billing_address END,
           shipping_address = CASE WHEN $8 THEN $9::jsonb ELSE shipping_address END,
           version = $10
         WHERE id = $1 AND organization_id = $2 AND version < $10`,
        [
          event.data.customer_id,
          metadata.organization_id,
          name ?? null,
          email !== undefined,
          email ?? null,
          billing_address !== undefined,
          json(billing_address),
          shipping_address !== undefined,
          json(shipping_address),
          version,
        ],
      );
    },
    async CustomerDeleted(tx, event, { metadata, version }) {
      await tx.query(
        `UPDATE invoice_customers SET deleted_at = $3, version = $4
          WHERE id = $1 AND organization_id = $2 AND version < $4`,
        [event.data.customer_id, metadata.organization_id, event.data.deleted_at, version],
      );
    },
  },
  runHandlers: { CustomerCreated: insertInvoiceCustomers },
  // Commands naming a customer wait on it through `catchUp` (`currentCustomer`), which wakes it.
  gathersRecords: true,
});

/** A run of creations in one statement. */
async function insertInvoiceCustomers(
  tx: Transaction,
  created: readonly ForeignEvent<Extract<CustomerEvent, { type: 'CustomerCreated' }>>[],
): Promise<void> {
  const details = created.map(({ event }) => event.data.details);
  await tx.query(
    `INSERT INTO invoice_customers (id, organization_id, mode, name, email, billing_address, shipping_address, version,
       test_clock_id)
     SELECT id, organization_id, mode, name, email, billing_address::jsonb, shipping_address::jsonb, version,
            test_clock_id
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int[],
                   $9::text[])
         AS created (id, organization_id, mode, name, email, billing_address, shipping_address, version, test_clock_id)
     ON CONFLICT (id) DO NOTHING`,
    [
      created.map(({ event }) => event.data.customer_id),
      created.map(({ source }) => source.metadata.organization_id),
      created.map(({ source }) => source.metadata.mode),
      details.map(({ name }) => name),
      details.map(({ email }) => email),
      details.map(({ billing_address }) => json(billing_address)),
      details.map(({ shipping_address }) => json(shipping_address)),
      created.map(({ source }) => source.version),
      created.map(({ event }) => event.data.test_clock),
    ],
  );
}

/** A customer of this tenant as an invoice shows them, if invoicing has heard of them. */
export async function findCustomer(
  db: Queryable,
  tenant: Tenant,
  id: string,
  scope: CustomerScope = 'live',
): Promise<InvoiceCustomer | undefined> {
  return (await findCustomers(db, tenant, [id], scope)).get(id);
}

/** Each of the customers of this tenant invoicing has heard of (in `scope`), by id; the others are absent. */
export async function findCustomers(
  db: Queryable,
  tenant: Tenant,
  ids: readonly string[],
  scope: CustomerScope = 'live',
): Promise<Map<string, InvoiceCustomer>> {
  const { rows } = await db.query<InvoiceCustomer & { id: string }>(
    `SELECT id, name, email, billing_address FROM invoice_customers
      WHERE id = ANY($1) AND organization_id = $2 AND mode = $3 AND ($4 = 'ever' OR deleted_at IS NULL)`,
    [ids, tenant.organizationId, tenant.mode, scope],
  );
  return new Map(rows.map(({ id, ...customer }) => [id, customer]));
}

/** When customer-service deleted the customer, if it did (their subscriptions end then). */
export async function customerDeletedAt(db: Queryable, tenant: Tenant, id: string): Promise<string | undefined> {
  const { rows } = await db.query<{ deleted_at: Date | null }>(
    'SELECT deleted_at FROM invoice_customers WHERE id = $1 AND organization_id = $2 AND mode = $3',
    [id, tenant.organizationId, tenant.mode],
  );
  return rows[0]?.deleted_at?.toISOString();
}

function json(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value);
}

/** How long a command waits for `customer.events` to catch up before it calls a customer unknown. */
const customerCatchUpMs = 5_000;

/**
 * The customer as customer-service last described them: catch up with `customer.events` first, so a customer
 * created or changed by the previous request is seen (read-your-writes across services).
 */
export async function currentCustomer(
  tx: Transaction,
  tenant: Tenant,
  customerId: string,
  context: CommandContext,
): Promise<InvoiceCustomer | undefined> {
  await context.catchUp(customersConsumer.name, Topics.customerEvents, customerCatchUpMs);
  return findCustomer(tx, tenant, customerId);
}

/** A customer something may be billed to, caught up as `currentCustomer` is; 404 naming `customer_id` if none. */
export async function knownCustomer(
  tx: Transaction,
  tenant: Tenant,
  customerId: string,
  context: CommandContext,
): Promise<InvoiceCustomer> {
  const found = await currentCustomer(tx, tenant, customerId, context);
  if (!found) throw new NotFoundError(`No such customer: '${customerId}'`, 'customer_id');
  return found;
}
