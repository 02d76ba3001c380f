import {
  type Alert,
  AlertEvent,
  type AlertList,
  type AlertScope,
  type ListAlertsQuery,
} from '@afternoon/contracts/alerts';
import { keysetPage, newestFirstSql, type Projection, type Queryable, type Tenant } from '@afternoon/service-kit';
import { customerName, type UsageCustomer } from '../alertUsage';

/** The `alerts` table: one row per live alert, what GET, list and the usage consumer read. */
export const alertsProjection: Projection = {
  name: 'alerts',
  tables: ['alerts'],
  handles: ['AlertCreated', 'AlertDeleted'],
  async apply(tx, stored) {
    const event = AlertEvent.parse(stored);
    const { organization_id, mode } = stored.metadata;
    switch (event.type) {
      case 'AlertCreated': {
        const { alert_id, name, meter_code, threshold, customer_id, scope, created_at } = event.data;
        await tx.query(
          `INSERT INTO alerts (id, organization_id, mode, name, meter_code, threshold, customer_id, scope, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING`,
          [alert_id, organization_id, mode, name, meter_code, threshold, customer_id, scope, created_at],
        );
        return;
      }
      case 'AlertDeleted':
        await tx.query('DELETE FROM alerts WHERE id = $1 AND organization_id = $2 AND mode = $3', [
          event.data.alert_id,
          organization_id,
          mode,
        ]);
        return;
      case 'AlertThresholdReached':
        return;
      default: {
        const unknown: never = event;
        return unknown;
      }
    }
  },
};

export async function getAlert(db: Queryable, tenant: Tenant, id: string): Promise<Alert | undefined> {
  const { rows } = await db.query<AlertRow>(
    `SELECT ${alertColumns} FROM alerts WHERE id = $1 AND organization_id = $2 AND mode = $3`,
    [id, tenant.organizationId, tenant.mode],
  );
  return rows[0] && toAlert(rows[0]);
}

/** Newest first, keyset-paginated on (created_at, id). */
export async function listAlerts(db: Queryable, tenant: Tenant, query: ListAlertsQuery): Promise<AlertList> {
  const listing = newestFirstSql({
    select: alertColumns,
    from: 'alerts',
    tenant,
    cursor: query.cursor,
    limit: query.limit,
  });
  const { rows } = await db.query<AlertRow>(listing.text, listing.values);
  const { page, pagination } = keysetPage(rows, query.limit, (last) => [last.created_at.toISOString(), last.id]);
  return { alerts: page.map(toAlert), pagination };
}

/**
 * The live alerts of the batch's customers on any of `meterCodes` (their own, or every customer's of their tenant),
 * oldest first, per customer (by `customerName`); one statement for the batch.
 */
export async function alertsWatching(
  db: Queryable,
  customers: readonly UsageCustomer[],
  meterCodes: readonly string[],
): Promise<Map<string, Alert[]>> {
  const tenants = new Map(customers.map((customer) => [`${customer.organizationId}\u0000${customer.mode}`, customer]));
  const { rows } = await db.query<AlertRow & { organization_id: string; mode: Tenant['mode'] }>(
    `SELECT ${alertColumns}, a.organization_id, a.mode FROM alerts a
       JOIN unnest($1::text[], $2::text[]) AS t (organization_id, mode)
         ON a.organization_id = t.organization_id AND a.mode = t.mode
      WHERE a.meter_code = ANY($3::text[])
      ORDER BY a.created_at, a.id`,
    [
      [...tenants.values()].map((tenant) => tenant.organizationId),
      [...tenants.values()].map((tenant) => tenant.mode),
      meterCodes,
    ],
  );
  const watching = new Map<string, Alert[]>();
  for (const customer of customers) {
    const alerts = rows.filter(
      (row) =>
        row.organization_id === customer.organizationId &&
        row.mode === customer.mode &&
        (row.customer_id === null || row.customer_id === customer.customerId),
    );
    watching.set(customerName(customer), alerts.map(toAlert));
  }
  return watching;
}

const alertColumns = 'id, name, meter_code, threshold::text AS threshold, customer_id, scope, created_at';

interface AlertRow {
  id: string;
  name: string | null;
  meter_code: string;
  threshold: string;
  customer_id: string | null;
  scope: AlertScope;
  created_at: Date;
}

function toAlert(row: AlertRow): Alert {
  return {
    id: row.id,
    name: row.name,
    meter_code: row.meter_code,
    threshold: row.threshold,
    customer_id: row.customer_id,
    scope: row.scope,
    created_at: row.created_at.toISOString(),
  };
}
