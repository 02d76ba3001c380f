import { compareDecimals, formatDecimal, parseDecimal, subtractDecimals } from '@afternoon/billing-core/exactDecimal';
import type { BalanceGrant, CustomerBalance, Denomination } from '@afternoon/contracts/credits';
import type { Queryable, Tenant } from '@afternoon/service-kit';
import { apiAmount, sumDecimals as sum } from '../amounts';

/**
 * The customer's balance in each denomination they hold grants in, as of `asOf` given everything known now: what
 * was granted effective by then, the debits of usage timestamped by then, and a void or expiry that happened by
 * then (docs/decisions/0015-credits-and-rating-live-in-invoicing.md).
 */
export async function customerBalances(
  db: Queryable,
  tenant: Tenant,
  customerId: string,
  asOf: Date,
): Promise<CustomerBalance[]> {
  const { rows } = await db.query<GrantRow>(
    `SELECT g.id, g.name, g.denomination_type, g.denomination_code, g.amount::text, g.status, g.effective_at,
            g.expires_at, g.voided_at, coalesce(g.expired, 0)::text AS expired, coalesce(g.voided, 0)::text AS voided,
            (SELECT coalesce(sum(d.amount), 0) FROM credit_debits d
              WHERE d.grant_id = g.id AND d.effective_at <= $4)::text AS consumed
       FROM credit_grants g
      WHERE g.organization_id = $1 AND g.mode = $2 AND g.customer_id = $3
      ORDER BY g.denomination_type, g.denomination_code, g.effective_at, g.created_at, g.id`,
    [tenant.organizationId, tenant.mode, customerId, asOf],
  );
  return balancesFrom(rows, asOf);
}

/** The balances the customer's grants make at `asOf`, each row's `consumed` being its debits by then. */
export function balancesFrom(rows: readonly GrantRow[], asOf: Date): CustomerBalance[] {
  const balances = new Map<string, { denomination: Denomination; grants: Parts[] }>();
  for (const row of rows) {
    const denomination: Denomination = { type: row.denomination_type, code: row.denomination_code };
    const name = `${denomination.type}:${denomination.code}`;
    const balance = balances.get(name) ?? { denomination, grants: [] };
    balances.set(name, balance);
    if (row.effective_at <= asOf) balance.grants.push(partsOf(row, asOf));
  }
  return [...balances.values()].map(({ denomination, grants }) => balanceOf(denomination, grants, asOf));
}

type Amounts = Record<'granted' | 'consumed' | 'expired' | 'voided' | 'available', string>;
type Parts = Amounts & { row: GrantRow };

/**
 * One grant at `asOf`: a void counts from `voided_at`; an expiry from `expires_at`, with what it recorded or, before
 * invoicing's expiry loop got to it, what was left (nothing expires of a grant voided before its expiry).
 */
function partsOf(row: GrantRow, asOf: Date): Parts {
  const { amount: granted, consumed } = row;
  const voidedAt = row.status === 'voided' && row.voided_at !== null && row.voided_at <= asOf ? row.voided_at : null;
  const voided = voidedAt ? row.voided : '0';
  let expired = '0';
  if (row.expires_at !== null && row.expires_at <= asOf) {
    if (row.status === 'expired') expired = row.expired;
    else if (!voidedAt || voidedAt > row.expires_at) expired = difference(granted, sum(consumed, voided));
  }
  const available = difference(granted, sum(consumed, sum(expired, voided)));
  return { row, granted, consumed, expired, voided, available };
}

function balanceOf(denomination: Denomination, grants: Parts[], asOf: Date): CustomerBalance {
  const total = (part: keyof Amounts) => grants.reduce((sofar, grant) => sum(sofar, grant[part]), '0');
  const amount = (value: string) => apiAmount(denomination, value);
  return {
    denomination,
    granted: amount(total('granted')),
    consumed: amount(total('consumed')),
    expired: amount(total('expired')),
    voided: amount(total('voided')),
    available: amount(total('available')),
    grants: grants.map(
      (grant): BalanceGrant => ({
        grant_id: grant.row.id,
        name: grant.row.name,
        granted: amount(grant.granted),
        consumed: amount(grant.consumed),
        expired: amount(grant.expired),
        voided: amount(grant.voided),
        available: amount(grant.available),
        effective_at: grant.row.effective_at.toISOString(),
        expires_at: grant.row.expires_at?.toISOString() ?? null,
      }),
    ),
    as_of: asOf.toISOString(),
  };
}

/** `a − b`, never below zero (what is left of a grant). */
function difference(a: string, b: string): string {
  const left = subtractDecimals(parseDecimal(a), parseDecimal(b));
  return compareDecimals(left, parseDecimal('0')) < 0 ? '0' : formatDecimal(left);
}

/** A grant as balances read it, with what was drawn from it by the instant asked about. */
export interface GrantRow {
  id: string;
  name: string;
  denomination_type: Denomination['type'];
  denomination_code: string;
  amount: string;
  status: 'active' | 'voided' | 'expired';
  effective_at: Date;
  expires_at: Date | null;
  voided_at: Date | null;
  expired: string;
  voided: string;
  consumed: string;
}
