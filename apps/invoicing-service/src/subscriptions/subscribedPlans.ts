import type { PlanInterval } from '@afternoon/contracts/plans';
import type { SubscribedPlan } from '@afternoon/contracts/subscriptions';
import { IllegalStateError, NotFoundError, type Queryable, type Tenant } from '@afternoon/service-kit';

/**
 * The current version of a plan a subscription may be put on, from the plans projection: an unknown plan is not
 * found, an archived one takes no new subscriptions (INVALID_STATE).
 */
export async function subscribablePlan(
  db: Queryable,
  tenant: Tenant,
  code: string,
  param: string,
): Promise<SubscribedPlan> {
  const { rows } = await db.query<{ status: string; version: number; interval: PlanInterval }>(
    `SELECT p.status, p.version, v.definition->>'interval' AS interval
       FROM plans p JOIN plan_versions v ON v.plan_id = p.id AND v.version = p.version
      WHERE p.organization_id = $1 AND p.mode = $2 AND p.code = $3`,
    [tenant.organizationId, tenant.mode, code],
  );
  const plan = rows[0];
  if (!plan) throw new NotFoundError(`No such plan: '${code}'`, param);
  if (plan.status !== 'active') throw new IllegalStateError(`plan '${code}' is archived`);
  return { code, version: plan.version, interval: plan.interval };
}
