import type { Customer, CustomerList, ListCustomersQuery } from '@afternoon/contracts/customers';
import { keysetPage, newestFirstSql, type Queryable, type Tenant } from '@afternoon/service-kit';

export { customersProjection } from './customersProjection';

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
