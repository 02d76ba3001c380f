import {
  type Customer,
  CustomerEvent,
  type CustomerList,
  type ListCustomersQuery,
} from '@afternoon/contracts/customers';
import {
  ConflictError,
  isUniqueViolation,
  keysetPage,
  newestFirstSql,
  type Projection,
  type Queryable,
  SqlParameters,
  type Tenant,
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
  async apply(tx, stored) {
    const event = CustomerEvent.parse(stored);
    const tenant = [stored.metadata.organization_id, stored.metadata.mode];
    switch (event.type) {
      case 'CustomerCreated': {
        const params = new SqlParameters();
        const identity = params.list([event.data.customer_id, ...tenant]);
        const details = params.list(detailColumns.map((column) => sqlValue(column, event.data.details[column])));
        const createdAt = params.add(event.data.created_at);
        const insert = params.query(
          `INSERT INTO customers (id, organization_id, mode, ${detailColumns.join(', ')}, created_at, updated_at,
             test_clock)
           VALUES (${identity}, ${details}, ${createdAt}, ${createdAt}, ${params.add(event.data.test_clock)})
           ON CONFLICT (id) DO NOTHING`,
        );
        await guardExternalId(event.data.details.external_id, () => tx.query(insert));
        return;
      }
      case 'CustomerUpdated': {
        const params = new SqlParameters();
        const changed = detailColumns.filter((column) => event.data.changes[column] !== undefined);
        const assignments = changed.map(
          (column) => `${column} = ${params.add(sqlValue(column, event.data.changes[column]))}`,
        );
        const update = params.query(
          `UPDATE customers SET ${[...assignments, `updated_at = ${params.add(event.data.updated_at)}`].join(', ')}
            WHERE id = ${params.add(event.data.customer_id)} AND organization_id = ${params.add(stored.metadata.organization_id)}`,
        );
        await guardExternalId(event.data.changes.external_id, () => tx.query(update));
        return;
      }
      case 'CustomerDeleted':
        await tx.query('DELETE FROM customers WHERE id = $1 AND organization_id = $2', [
          event.data.customer_id,
          stored.metadata.organization_id,
        ]);
        return;
      default: {
        const unknown: never = event;
        return unknown;
      }
    }
  },
};

export async function getCustomer(db: Queryable, tenant: Tenant, id: string): Promise<Customer | undefined> {
  const { rows } = await db.query<CustomerRow>(
    'SELECT * FROM customers WHERE id = $1 AND organization_id = $2 AND mode = $3',
    [id, tenant.organizationId, tenant.mode],
  );
  return rows[0] && toCustomer(rows[0]);
}

/** Newest first, keyset-paginated on (created_at, id) so pages stay stable while customers are added. */
export async function listCustomers(db: Queryable, tenant: Tenant, query: ListCustomersQuery): Promise<CustomerList> {
  const { name, first_name, last_name, email, external_id } = query;
  const listing = newestFirstSql({
    select: '*',
    from: 'customers',
    tenant,
    filters: { name, first_name, last_name, email, external_id },
    cursor: query.cursor,
    limit: query.limit,
  });
  const { rows } = await db.query<CustomerRow>(listing.text, listing.values);
  const { page, pagination } = keysetPage(rows, query.limit, (last) => [last.created_at.toISOString(), last.id]);
  return { customers: page.map(toCustomer), pagination };
}

interface CustomerRow {
  id: string;
  name: string;
  first_name: string | null;
  last_name: string | null;
  email: string | null;
  phone: string | null;
  url: string | null;
  external_id: string | null;
  billing_address: Customer['billing_address'];
  shipping_address: Customer['shipping_address'];
  metadata: Customer['metadata'];
  test_clock: string | null;
  created_at: Date;
  updated_at: Date;
}

function toCustomer(row: CustomerRow): Customer {
  return {
    id: row.id,
    name: row.name,
    first_name: row.first_name,
    last_name: row.last_name,
    email: row.email,
    phone: row.phone,
    url: row.url,
    external_id: row.external_id,
    billing_address: row.billing_address,
    shipping_address: row.shipping_address,
    metadata: row.metadata,
    test_clock: row.test_clock,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

function sqlValue(column: string, value: unknown): unknown {
  if (value === undefined || value === null) return null;
  return jsonColumns.has(column) ? JSON.stringify(value) : value;
}

async function guardExternalId(externalId: string | null | undefined, write: () => Promise<unknown>) {
  try {
    await write();
  } catch (error) {
    if (isUniqueViolation(error, 'customers_external_id_unique')) {
      throw new ConflictError(`external_id '${externalId}' is already used by another customer`, 'external_id');
    }
    throw error;
  }
}
