import {
  addDecimals,
  compareDecimals,
  type ExactDecimal,
  formatDecimal,
  minDecimal,
  parseDecimal,
  subtractDecimals,
  zero,
} from '@afternoon/billing-core/exactDecimal';
import { coverageKey } from '@afternoon/billing-core/periodLines';
import type { CurrencyCredits } from '@afternoon/billing-core/periodLinesCredits';
import type { UsageGroupKey } from '@afternoon/contracts/meters';
import type { Queryable, Tenant } from '@afternoon/service-kit';

/** What an invoice of a subscription applies of its credits: `periodLines`' `currencyCredits` and `coveredUnits`. */
export interface InvoiceCredits {
  currencyCredits: CurrencyCredits;
  coveredUnits: Record<string, Record<string, string>>;
}

export interface CreditsQuestion {
  subscriptionId: string;
  /** The invoice's currency: only grants in it are applied as money. */
  currency: string;
  /** The boundary billed: the ledger's debits of rating periods starting before it, invoices of boundaries before it. */
  boundary: Date;
}

/**
 * Cumulative accounting: what the ledger (`credit_debits`) drew for the subscription's usage in periods starting
 * before the boundary, minus what the subscription's invoices of earlier boundaries already applied (read from
 * invoicing's own invoices, so a rebuild gives the same). A debit rated after an invoice was built is applied by the
 * next one, never lost and never twice.
 */
export async function invoiceCredits(
  db: Queryable,
  tenant: Tenant,
  question: CreditsQuestion,
): Promise<InvoiceCredits> {
  const [currencyCredits, coveredUnits] = await Promise.all([
    pendingCurrencyCredits(db, tenant, question),
    pendingCoveredUnits(db, tenant, question),
  ]);
  return { currencyCredits, coveredUnits };
}

/** What an invoice applies when its subscription has no credit to draw and none applied before. */
export const noInvoiceCredits: InvoiceCredits = {
  currencyCredits: { grants: [], unattributedCents: 0 },
  coveredUnits: {},
};

/**
 * Which of the tenant's subscriptions may have credits to apply: those with ledger debits, or with an earlier
 * invoice that applied or covered some. Any other one's `invoiceCredits` are `noInvoiceCredits`, whatever the
 * boundary, so one read for many subscriptions spares each the four reads of `invoiceCredits`.
 */
export async function subscriptionsWithCredits(
  db: Queryable,
  tenant: Tenant,
  subscriptionIds: readonly string[],
): Promise<Set<string>> {
  const { rows } = await db.query<{ subscription_id: string }>(
    `SELECT DISTINCT d.subscription_id FROM credit_debits d
      WHERE d.subscription_id = ANY($3) AND d.organization_id = $1 AND d.mode = $2
     UNION
     SELECT i.subscription_id FROM invoices i
      WHERE i.organization_id = $1 AND i.mode = $2 AND i.subscription_id = ANY($3)
        AND EXISTS (SELECT 1 FROM jsonb_array_elements(coalesce(i.state->'subscriptionLineItems', '[]'::jsonb)) line
                     WHERE line->>'kind' = 'credit_applied' OR line->'pricing_unit' ? 'covered')`,
    [tenant.organizationId, tenant.mode, subscriptionIds],
  );
  return new Set(rows.map((row) => row.subscription_id));
}

const earlierLines = `
  FROM invoices i, jsonb_array_elements(coalesce(i.state->'subscriptionLineItems', '[]'::jsonb)) line
 WHERE i.organization_id = $1 AND i.mode = $2 AND i.subscription_id = $3 AND i.billing_boundary < $4`;

/** What earlier invoices applied, per grant named on their `credit_applied` lines (null: summed "other grants"). */
const appliedByGrant = `
  SELECT g->>'grant_id' AS grant_id, -sum((g->>'amount_cents')::numeric) AS amount
    FROM (SELECT line ${earlierLines} AND line->>'kind' = 'credit_applied') applying,
         jsonb_array_elements(applying.line->'credit_grants') g
   GROUP BY 1`;

/** Per currency grant the subscription's usage drew on, in the grants' order: drawn minus applied. */
async function pendingCurrencyCredits(
  db: Queryable,
  tenant: Tenant,
  { subscriptionId, currency, boundary }: CreditsQuestion,
): Promise<CurrencyCredits> {
  const values = [tenant.organizationId, tenant.mode, subscriptionId, boundary];
  const byGrant = db.query<{ grant_id: string; name: string; pending: string }>(
    `WITH drawn AS (
       SELECT d.grant_id, sum(d.amount) AS amount FROM credit_debits d
        WHERE d.organization_id = $1 AND d.mode = $2 AND d.subscription_id = $3 AND d.period_start < $4
        GROUP BY d.grant_id),
     applied AS (${appliedByGrant})
     SELECT c.id AS grant_id, c.name, (coalesce(drawn.amount, 0) - coalesce(applied.amount, 0))::text AS pending
       FROM credit_grants c
       LEFT JOIN drawn ON drawn.grant_id = c.id
       LEFT JOIN applied ON applied.grant_id = c.id
      WHERE (drawn.grant_id IS NOT NULL OR applied.grant_id IS NOT NULL)
        AND c.denomination_type = 'currency' AND c.denomination_code = $5
      ORDER BY c.effective_at, c.created_at, c.id`,
    [...values, currency],
  );
  const unattributed = db.query<{ amount: string }>(
    `SELECT coalesce(sum(amount), 0)::text AS amount FROM (${appliedByGrant}) applied WHERE grant_id IS NULL`,
    values,
  );
  const [{ rows }, summed] = await Promise.all([byGrant, unattributed]);
  const grants = rows
    .map(({ grant_id, name, pending }) => ({ grant_id, name, amount_cents: Number(pending) }))
    .filter(({ amount_cents }) => amount_cents !== 0);
  return { grants, unattributedCents: Number(summed.rows[0]?.amount ?? 0) };
}

/**
 * Per price and group: the units pricing-unit credits covered minus those earlier invoices showed as covered. A
 * group summed into an "N other groups" line keeps no count of its own, so each price's pending units are also capped
 * by the price's own total (the sum over its groups, summed lines included): never covered twice.
 */
async function pendingCoveredUnits(
  db: Queryable,
  tenant: Tenant,
  { subscriptionId, boundary }: CreditsQuestion,
): Promise<InvoiceCredits['coveredUnits']> {
  const values = [tenant.organizationId, tenant.mode, subscriptionId, boundary];
  const [drawn, shown] = await Promise.all([
    db.query<{ price_id: string; group_key: string | null; units: string }>(
      `SELECT d.price_id, d.group_key, sum(d.amount)::text AS units FROM credit_debits d
         JOIN credit_grants c ON c.id = d.grant_id AND c.denomination_type = 'pricing_unit'
        WHERE d.organization_id = $1 AND d.mode = $2 AND d.subscription_id = $3 AND d.period_start < $4
        GROUP BY d.price_id, d.group_key ORDER BY d.price_id, d.group_key`,
      values,
    ),
    db.query<{ price_id: string; grp: UsageGroupKey | null; summed: boolean; units: string }>(
      `SELECT line->>'price_id' AS price_id, line->'usage'->'group' AS grp,
              (line->'usage'->'summed_groups') IS NOT NULL AS summed,
              sum((line->'pricing_unit'->>'covered')::numeric)::text AS units ${earlierLines}
          AND line->'pricing_unit' ? 'covered'
        GROUP BY 1, 2, 3`,
      values,
    ),
  ]);
  const byPrice = new Map<string, { total: ExactDecimal; groups: Map<string, ExactDecimal> }>();
  const add = (priceId: string, key: string | null, units: ExactDecimal) => {
    const price = byPrice.get(priceId) ?? { total: zero, groups: new Map<string, ExactDecimal>() };
    price.total = addDecimals(price.total, units);
    if (key !== null) price.groups.set(key, addDecimals(price.groups.get(key) ?? zero, units));
    byPrice.set(priceId, price);
  };
  for (const row of drawn.rows)
    add(row.price_id, coverageKey(row.group_key === null ? null : JSON.parse(row.group_key)), parseDecimal(row.units));
  for (const row of shown.rows)
    add(row.price_id, row.summed ? null : coverageKey(row.grp), subtractDecimals(zero, parseDecimal(row.units)));
  const covered: InvoiceCredits['coveredUnits'] = {};
  for (const [priceId, { total, groups }] of byPrice) {
    let left = total;
    for (const [key, units] of [...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const pool = minDecimal(units, left);
      if (compareDecimals(pool, zero) <= 0) continue;
      left = subtractDecimals(left, pool);
      covered[priceId] = { ...covered[priceId], [key]: formatDecimal(pool) };
    }
  }
  return covered;
}
