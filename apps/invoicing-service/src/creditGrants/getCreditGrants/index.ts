import {
  type CreditGrant,
  CreditGrantEvent,
  type CreditGrantList,
  type CreditGrantStatus,
  type ListCreditGrantsQuery,
} from '@afternoon/contracts/credits';
import { keysetPage, newestFirstSql, type Projection, type Queryable, type Tenant } from '@afternoon/service-kit';
import { toCreditGrant } from '../creditGrant';

/**
 * `credit_grants`, one row per grant: created, then voided or expired with the remainder each removed. `consumed`
 * is the rating projection's to keep; this one only creates the column's zero.
 */
export const creditGrantsProjection: Projection = {
  name: 'credit_grants',
  tables: ['credit_grants'],
  handles: ['CreditGrantCreated', 'CreditGrantVoided', 'CreditGrantExpired'],
  async apply(tx, stored) {
    const event = CreditGrantEvent.parse(stored);
    switch (event.type) {
      case 'CreditGrantCreated': {
        const { data } = event;
        await tx.query(
          `INSERT INTO credit_grants (id, organization_id, mode, subscription_id, customer_id, name, denomination_type,
             denomination_code, amount, status, priority, effective_at, expires_at, metadata, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'active', $10, $11, $12, $13, $14) ON CONFLICT (id) DO NOTHING`,
          [
            data.grant_id,
            stored.metadata.organization_id,
            stored.metadata.mode,
            data.subscription_id,
            data.customer_id,
            data.name,
            data.denomination.type,
            data.denomination.code,
            data.amount,
            data.priority,
            data.effective_at,
            data.expires_at,
            JSON.stringify(data.metadata),
            data.created_at,
          ],
        );
        return;
      }
      case 'CreditGrantVoided':
        await tx.query(`UPDATE credit_grants SET status = 'voided', voided = $2, voided_at = $3 WHERE id = $1`, [
          event.data.grant_id,
          event.data.voided_amount,
          event.data.voided_at,
        ]);
        return;
      case 'CreditGrantExpired':
        await tx.query(`UPDATE credit_grants SET status = 'expired', expired = $2, expired_at = $3 WHERE id = $1`, [
          event.data.grant_id,
          event.data.expired_amount,
          event.data.expired_at,
        ]);
        return;
      default: {
        const unknown: never = event;
        return unknown;
      }
    }
  },
};

/**
 * What remains of the tenant's grant per the ledger, and whose grant it is, with its row locked until the
 * transaction ends, so no draw can take from it in between; undefined when there is no such grant.
 */
export async function lockedRemainder(
  tx: Queryable,
  tenant: Tenant,
  grantId: string,
): Promise<{ remaining: string; customerId: string } | undefined> {
  const { rows } = await tx.query<{ remaining: string; customer_id: string }>(
    `SELECT (amount - consumed - expired - voided)::text AS remaining, customer_id FROM credit_grants
      WHERE id = $1 AND organization_id = $2 AND mode = $3 FOR UPDATE`,
    [grantId, tenant.organizationId, tenant.mode],
  );
  const row = rows[0];
  return row && { remaining: row.remaining, customerId: row.customer_id };
}

const columns = `id, subscription_id, customer_id, name, denomination_type, denomination_code, amount::text,
                 consumed::text, expired::text, voided::text, status, priority, effective_at, expires_at, voided_at,
                 metadata, created_at`;

export async function getCreditGrant(
  db: Queryable,
  tenant: Tenant,
  subscriptionId: string,
  grantId: string,
): Promise<CreditGrant | undefined> {
  const { rows } = await db.query<CreditGrantRow>(
    `SELECT ${columns} FROM credit_grants
      WHERE id = $1 AND subscription_id = $2 AND organization_id = $3 AND mode = $4`,
    [grantId, subscriptionId, tenant.organizationId, tenant.mode],
  );
  return rows[0] && fromRow(rows[0]);
}

/** A subscription's grants, newest first, keyset-paginated on (created_at, id). */
export async function listCreditGrants(
  db: Queryable,
  tenant: Tenant,
  subscriptionId: string,
  query: ListCreditGrantsQuery,
): Promise<CreditGrantList> {
  const listing = newestFirstSql({
    select: columns,
    from: 'credit_grants',
    tenant,
    filters: { subscription_id: subscriptionId },
    cursor: query.cursor,
    limit: query.limit,
  });
  const { rows } = await db.query<CreditGrantRow>(listing.text, listing.values);
  const { page, pagination } = keysetPage(rows, query.limit, (last) => [last.created_at.toISOString(), last.id]);
  return { credit_grants: page.map(fromRow), pagination };
}

interface CreditGrantRow {
  id: string;
  subscription_id: string;
  customer_id: string;
  name: string;
  denomination_type: 'currency' | 'pricing_unit';
  denomination_code: string;
  amount: string;
  consumed: string;
  expired: string;
  voided: string;
  status: CreditGrantStatus;
  priority: number;
  effective_at: Date;
  expires_at: Date | null;
  voided_at: Date | null;
  metadata: Record<string, string>;
  created_at: Date;
}

function fromRow(row: CreditGrantRow): CreditGrant {
  const record = {
    id: row.id,
    subscriptionId: row.subscription_id,
    customerId: row.customer_id,
    name: row.name,
    denomination: { type: row.denomination_type, code: row.denomination_code },
    amount: row.amount,
    expired: row.expired,
    voided: row.voided,
    priority: row.priority,
    effectiveAt: row.effective_at.toISOString(),
    expiresAt: row.expires_at?.toISOString() ?? null,
    voidedAt: row.voided_at?.toISOString() ?? null,
    metadata: row.metadata,
    createdAt: row.created_at.toISOString(),
  };
  return toCreditGrant({ ...record, status: row.status }, row.consumed);
}
