import { CustomerEvent } from '@afternoon/contracts/customers';
import type { EventMetadata } from '@afternoon/contracts/messaging';
import {
  ConflictError,
  isUniqueViolation,
  type Projection,
  SqlParameters,
  type StoredEvent,
  type Transaction,
} from '@afternoon/service-kit';

const detailColumns = [
  'name',
  'first_name',
  'last_name',
  'email',
  'phone',
  'url',
  'external_id',
  'billing_address',
  'shipping_address',
  'metadata',
] as const;
const jsonColumns = new Set(['billing_address', 'shipping_address', 'metadata']);

/** The `customers` table: one row per live customer, what GET and list read. */
export const customersProjection: Projection = {
  name: 'customers',
  tables: ['customers'],
  handles: ['CustomerCreated', 'CustomerUpdated', 'CustomerDeleted'],
  applyAll: applyCustomerEvents,
  apply: (tx, stored) => applyCustomerEvents(tx, [stored]),
};

/** A run of creations in one insert; any other event in its place, one statement each. */
async function applyCustomerEvents(tx: Transaction, events: readonly StoredEvent[]): Promise<void> {
  let created: CustomerCreatedEvent[] = [];
  for (const stored of events) {
    const event = CustomerEvent.parse(stored);
    if (event.type === 'CustomerCreated') {
      created.push({ event, metadata: stored.metadata });
      continue;
    }
    await insertCustomers(tx, created);
    created = [];
    await applyChange(tx, event, stored.metadata.organization_id);
  }
  await insertCustomers(tx, created);
}

interface CustomerCreatedEvent {
  event: Extract<CustomerEvent, { type: 'CustomerCreated' }>;
  metadata: EventMetadata;
}

async function insertCustomers(tx: Transaction, created: readonly CustomerCreatedEvent[]): Promise<void> {
  if (created.length === 0) return;
  const params = new SqlParameters();
  const rows = created.map(({ event, metadata }) => {
    const identity = params.list([event.data.customer_id, metadata.organization_id, metadata.mode]);
    const details = params.list(detailColumns.map((column) => sqlValue(column, event.data.details[column])));
    const createdAt = params.add(event.data.created_at);
    return `(${identity}, ${details}, ${createdAt}, ${createdAt}, ${params.add(event.data.test_clock)})`;
  });
  const insert = params.query(
    `INSERT INTO customers (id, organization_id, mode, ${detailColumns.join(', ')}, created_at, updated_at, test_clock)
     VALUES ${rows.join(', ')}
     ON CONFLICT (id) DO NOTHING`,
  );
  const externalIds = created.flatMap(({ event }) => event.data.details.external_id ?? []);
  await guardExternalId(externalIds, () => tx.query(insert));
}

async function applyChange(
  tx: Transaction,
  event: Exclude<CustomerEvent, { type: 'CustomerCreated' }>,
  organizationId: string,
): Promise<void> {
  switch (event.type) {
    case 'CustomerUpdated': {
      const params = new SqlParameters();
      const changed = detailColumns.filter((column) => event.data.changes[column] !== undefined);
      const assignments = changed.map(
        (column) => `${column} = ${params.add(sqlValue(column, event.data.changes[column]))}`,
      );
      const update = params.query(
        `UPDATE customers SET ${[...assignments, `updated_at = ${params.add(event.data.updated_at)}`].join(', ')}
            WHERE id = ${params.add(event.data.customer_id)} AND organization_id = ${params.add(organizationId)}`,
      );
      await guardExternalId(event.data.changes.external_id ? [event.data.changes.external_id] : [], () =>
        tx.query(update),
      );
      return;
    }
    case 'CustomerDeleted':
      await tx.query('DELETE FROM customers WHERE id = $1 AND organization_id = $2', [
        event.data.customer_id,
        organizationId,
      ]);
      return;
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}

function sqlValue(column: string, value: unknown): unknown {
  if (value === undefined || value === null) return null;
  return jsonColumns.has(column) ? JSON.stringify(value) : value;
}

/** The write, with a taken external id refused as a conflict naming it (or them, for a run of creations). */
async function guardExternalId(externalIds: readonly string[], write: () => Promise<unknown>) {
  try {
    await write();
  } catch (error) {
    if (isUniqueViolation(error, 'customers_external_id_unique')) {
      const named = externalIds.map((id) => `'${id}'`).join(', ');
      const message =
        externalIds.length === 1
          ? `external_id ${named} is already used by another customer`
          : `one of the external_ids ${named} is already used by another customer`;
      throw new ConflictError(message, 'external_id');
    }
    throw error;
  }
}
