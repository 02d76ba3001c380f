import { type ListMetersQuery, type Meter, MeterEvent, type MeterList } from '@afternoon/contracts/meters';
import { keysetPage, newestFirstSql, type Projection, type Queryable, type Tenant } from '@afternoon/service-kit';

/**
 * The `meters` table: one row per meter, archived ones included. A change of what a meter counts (filters, groups)
 * moves its definition version on, which leaves its rollups stale until the rollup builder has rebuilt them.
 */
export const metersProjection: Projection = {
  name: 'meters',
  tables: ['meters', 'meter_usage_hourly', 'meter_usage_hourly_values'],
  handles: ['MeterCreated', 'MeterUpdated', 'MeterArchived'],
  async apply(tx, stored) {
    const event = MeterEvent.parse(stored);
    switch (event.type) {
      case 'MeterCreated': {
        const { code, name, event_name, aggregation, property, filters, group_by } = event.data.definition;
        await tx.query(
          `INSERT INTO meters (id, organization_id, mode, code, name, event_name, aggregation, property, filters,
                               group_by, status, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'active', $11, $11) ON CONFLICT (id) DO NOTHING`,
          [
            event.data.meter_id,
            stored.metadata.organization_id,
            stored.metadata.mode,
            code,
            name,
            event_name,
            aggregation,
            property,
            JSON.stringify(filters),
            JSON.stringify(group_by),
            event.data.created_at,
          ],
        );
        return;
      }
      case 'MeterUpdated': {
        const { name, filters, group_by } = event.data.changes;
        await tx.query(
          `UPDATE meters SET name = COALESCE($2, name), filters = COALESCE($3::jsonb, filters),
                  group_by = COALESCE($4::jsonb, group_by), updated_at = $5,
                  definition_version = definition_version + CASE WHEN $3::jsonb IS NULL AND $4::jsonb IS NULL THEN 0 ELSE 1 END
            WHERE id = $1`,
          [
            event.data.meter_id,
            name ?? null,
            filters ? JSON.stringify(filters) : null,
            group_by ? JSON.stringify(group_by) : null,
            event.data.updated_at,
          ],
        );
        return;
      }
      case 'MeterArchived':
        await tx.query(`UPDATE meters SET status = 'archived', archived_at = $2, updated_at = $2 WHERE id = $1`, [
          event.data.meter_id,
          event.data.archived_at,
        ]);
        return;
      default: {
        const unknown: never = event;
        return unknown;
      }
    }
  },
};

/** The `meters` columns a `Meter` is made of (see `toMeter`). */
export const meterColumns = `id, code, name, event_name, aggregation, property, filters, group_by, status, created_at, updated_at,
                 archived_at`;

export async function getMeter(db: Queryable, tenant: Tenant, code: string): Promise<Meter | undefined> {
  const { rows } = await db.query<MeterRow>(
    `SELECT ${meterColumns} FROM meters WHERE organization_id = $1 AND mode = $2 AND code = $3`,
    [tenant.organizationId, tenant.mode, code],
  );
  return rows[0] && toMeter(rows[0]);
}

/** Newest first, keyset-paginated on (created_at, id). */
export async function listMeters(db: Queryable, tenant: Tenant, query: ListMetersQuery): Promise<MeterList> {
  const listing = newestFirstSql({
    select: meterColumns,
    from: 'meters',
    tenant,
    filters: { status: query.status },
    cursor: query.cursor,
    limit: query.limit,
  });
  const { rows } = await db.query<MeterRow>(listing.text, listing.values);
  const { page, pagination } = keysetPage(rows, query.limit, (last) => [last.created_at.toISOString(), last.id]);
  return { meters: page.map(toMeter), pagination };
}

export interface MeterRow extends Omit<Meter, 'created_at' | 'updated_at' | 'archived_at'> {
  created_at: Date;
  updated_at: Date;
  archived_at: Date | null;
}

export function toMeter(row: MeterRow): Meter {
  return {
    ...row,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
    archived_at: row.archived_at?.toISOString() ?? null,
  };
}
