import { NotYetError, type Queryable, type Tenant } from '@afternoon/service-kit';

/**
 * The test clock of the tenant's customer as the catalog follows it (customer-service's events); null if none. The
 * catalog reads customers and invoices from two topics, so an invoice can come first: a customer not recorded yet is
 * a `NotYetError` (retried), since guessing the real clock would send a test clock's reminders at once.
 */
export async function customerTestClock(db: Queryable, tenant: Tenant, customerId: string): Promise<string | null> {
  const { rows } = await db.query<{ test_clock: string | null }>(
    `SELECT state->>'test_clock' AS test_clock FROM catalog_subjects
      WHERE organization_id = $1 AND mode = $2 AND kind = 'customer' AND id = $3`,
    [tenant.organizationId, tenant.mode, customerId],
  );
  const [customer] = rows;
  if (!customer) throw new NotYetError(`the catalog has not recorded customer ${customerId} yet`);
  return customer.test_clock;
}
