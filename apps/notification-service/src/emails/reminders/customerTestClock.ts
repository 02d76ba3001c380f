import type { Queryable, Tenant } from '@afternoon/service-kit';

/** The test clock of the tenant's customer as the catalog follows it (customer-service's events); null if none. */
export async function customerTestClock(db: Queryable, tenant: Tenant, customerId: string): Promise<string | null> {
  const { rows } = await db.query<{ test_clock: string | null }>(
    `SELECT state->>'test_clock' AS test_clock FROM catalog_subjects
      WHERE organization_id = $1 AND mode = $2 AND kind = 'customer' AND id = $3`,
    [tenant.organizationId, tenant.mode, customerId],
  );
  return rows[0]?.test_clock ?? null;
}
