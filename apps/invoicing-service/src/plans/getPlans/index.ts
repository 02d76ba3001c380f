import {
  type ListPlansQuery,
  type Plan,
  type PlanDefinition,
  PlanEvent,
  type PlanList,
} from '@afternoon/contracts/plans';
import { keysetPage, newestFirstSql, type Projection, type Queryable, type Tenant } from '@afternoon/service-kit';

/** `plans` (one row per plan, at its current version) and `plan_versions` (each version's definition, kept). */
export const plansProjection: Projection = {
  name: 'plans',
  tables: ['plans', 'plan_versions'],
  handles: ['PlanCreated', 'PlanRevised', 'PlanArchived'],
  async apply(tx, stored) {
    const event = PlanEvent.parse(stored);
    switch (event.type) {
      case 'PlanCreated':
        await tx.query(
          `INSERT INTO plans (id, organization_id, mode, code, version, status, created_at, updated_at)
           VALUES ($1, $2, $3, $4, 1, 'active', $5, $5) ON CONFLICT (id) DO NOTHING`,
          [
            event.data.plan_id,
            stored.metadata.organization_id,
            stored.metadata.mode,
            event.data.definition.code,
            event.data.created_at,
          ],
        );
        await addVersion(tx, event.data.plan_id, 1, event.data.definition, event.data.created_at);
        return;
      case 'PlanRevised':
        await tx.query('UPDATE plans SET version = $2, updated_at = $3 WHERE id = $1', [
          event.data.plan_id,
          event.data.version,
          event.data.revised_at,
        ]);
        await addVersion(tx, event.data.plan_id, event.data.version, event.data.definition, event.data.revised_at);
        return;
      case 'PlanArchived':
        await tx.query(`UPDATE plans SET status = 'archived', updated_at = $2 WHERE id = $1`, [
          event.data.plan_id,
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

function addVersion(tx: Queryable, planId: string, version: number, definition: PlanDefinition, at: string) {
  return tx.query(
    `INSERT INTO plan_versions (plan_id, version, definition, made_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (plan_id, version) DO NOTHING`,
    [planId, version, JSON.stringify(definition), at],
  );
}

const planColumns = `p.id, p.version AS current_version, p.status, p.created_at, p.updated_at, v.version,
                     v.definition, v.made_at`;

/** A plan at its current version, or at `version` (made at that version's time, with the plan's status). */
export async function getPlan(
  db: Queryable,
  tenant: Tenant,
  code: string,
  version?: number,
): Promise<Plan | undefined> {
  const { rows } = await db.query<PlanRow>(
    `SELECT ${planColumns} FROM plans p JOIN plan_versions v ON v.plan_id = p.id
      WHERE p.organization_id = $1 AND p.mode = $2 AND p.code = $3 AND v.version = coalesce($4, p.version)`,
    [tenant.organizationId, tenant.mode, code, version ?? null],
  );
  return rows[0] && toPlan(rows[0]);
}

/** Current versions, newest plan first, keyset-paginated on (created_at, id). */
export async function listPlans(db: Queryable, tenant: Tenant, query: ListPlansQuery): Promise<PlanList> {
  const listing = newestFirstSql({
    select: planColumns,
    from: 'plans p JOIN plan_versions v ON v.plan_id = p.id AND v.version = p.version',
    alias: 'p',
    tenant,
    filters: { status: query.status },
    cursor: query.cursor,
    limit: query.limit,
  });
  const { rows } = await db.query<PlanRow>(listing.text, listing.values);
  const { page, pagination } = keysetPage(rows, query.limit, (last) => [last.created_at.toISOString(), last.id]);
  return { plans: page.map(toPlan), pagination };
}

interface PlanRow {
  id: string;
  current_version: number;
  status: Plan['status'];
  created_at: Date;
  updated_at: Date;
  version: number;
  definition: PlanDefinition;
  made_at: Date;
}

function toPlan(row: PlanRow): Plan {
  const current = row.version === row.current_version;
  return {
    id: row.id,
    version: row.version,
    ...row.definition,
    status: row.status,
    created_at: row.created_at.toISOString(),
    updated_at: (current ? row.updated_at : row.made_at).toISOString(),
  };
}
