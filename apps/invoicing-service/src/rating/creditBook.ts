import {
  type CreditMovement,
  type DrawableGrant,
  drawCredits,
  returnCredits,
} from '@afternoon/billing-core/creditBurnDown';
import { addDecimals, formatDecimal, parseDecimal, subtractDecimals } from '@afternoon/billing-core/exactDecimal';
import type { Denomination } from '@afternoon/contracts/credits';
import type { Tenant, Transaction } from '@afternoon/service-kit';
import { sumDecimals } from './amounts';
import { type Balances, denominationName } from './balanceThresholds';

/** One customer's grant, as the rating transaction holds it locked. */
export interface BookGrant extends DrawableGrant {
  customerId: string;
  denomination: Denomination;
}

/**
 * The active grants of a batch's customers, locked (FOR UPDATE) in the batch transaction's first statement and kept
 * current in memory as the batch draws on them. Only grants committed before that statement are drawn, which keeps
 * every grant's creation before the `UsageRated` events that draw on it in the event store's order (transaction ids
 * are taken at a transaction's first write): a rebuild applies the draws to grants that exist.
 */
export class CreditBook {
  private constructor(private readonly grants: BookGrant[]) {}

  static async lock(tx: Transaction, of: readonly (Tenant & { customerId: string })[]): Promise<CreditBook> {
    // Each customer once: a batch holds several records of one customer, and the join would repeat their grants.
    const customers = [...new Map(of.map((customer) => [JSON.stringify(customer), customer])).values()];
    if (customers.length === 0) return new CreditBook([]);
    const { rows } = await tx.query<GrantRow>(
      `SELECT g.id, g.customer_id, g.denomination_type, g.denomination_code, g.priority, g.effective_at, g.expires_at,
              g.created_at,
              (g.amount - g.consumed - coalesce(g.expired, 0) - coalesce(g.voided, 0))::text AS remaining
         FROM credit_grants g
         JOIN unnest($1::text[], $2::text[], $3::text[]) AS c (organization_id, mode, customer_id)
           ON g.organization_id = c.organization_id AND g.mode = c.mode AND g.customer_id = c.customer_id
        WHERE g.status = 'active'
        ORDER BY g.id
          FOR UPDATE OF g`,
      [
        customers.map((customer) => customer.organizationId),
        customers.map((customer) => customer.mode),
        customers.map((customer) => customer.customerId),
      ],
    );
    return new CreditBook(rows.map(toBookGrant));
  }

  /** Draws a non-negative cost at `at` from the customer's grants in its denomination; the rest is owed. */
  draw(customerId: string, denomination: Denomination, cost: string, at: string) {
    const drawn = drawCredits(cost, at, this.grantsOf(customerId, denomination));
    for (const draw of drawn.draws) this.move(draw.grantId, draw.amount);
    return drawn;
  }

  /**
   * Gives a negative cost back: first off what its rating key owes, then to the grants it drew from (`priorDraws`,
   * oldest first, net of returns), newest first, where the grant is still drawable at `at`.
   */
  giveBack(refund: string, owed: string, priorDraws: readonly CreditMovement[], at: string) {
    const returned = returnCredits(refund, owed, priorDraws, (grantId) => this.canReturnTo(grantId, at));
    for (const given of returned.returns) this.move(given.grantId, `-${given.amount}`);
    return returned;
  }

  /** What the customer's grants hold now, per denomination they are in: the sum of their remainders. */
  available(customerId: string): Balances {
    const balances: Balances = new Map();
    for (const grant of this.grants) {
      if (grant.customerId !== customerId) continue;
      const name = denominationName(grant.denomination);
      const before = balances.get(name)?.available ?? '0';
      balances.set(name, { denomination: grant.denomination, available: sumDecimals(before, grant.remaining) });
    }
    return balances;
  }

  private grantsOf(customerId: string, denomination: Denomination): BookGrant[] {
    return this.grants.filter(
      (grant) =>
        grant.customerId === customerId &&
        grant.denomination.type === denomination.type &&
        grant.denomination.code === denomination.code,
    );
  }

  private canReturnTo(grantId: string, at: string): boolean {
    const grant = this.grants.find((candidate) => candidate.grantId === grantId);
    return grant !== undefined && (grant.expiresAt === null || Date.parse(at) < Date.parse(grant.expiresAt));
  }

  /** Takes `amount` (negative: gives it back) from the grant's remainder. */
  private move(grantId: string, amount: string): void {
    const grant = this.grants.find((candidate) => candidate.grantId === grantId);
    if (!grant) throw new Error(`grant ${grantId} is not in the credit book`);
    grant.remaining = formatDecimal(subtractDecimals(parseDecimal(grant.remaining), parseDecimal(amount)));
  }
}

/** A draw's net after later returns: each return takes back from the grant's newest draws first. */
export function netDraws(movements: readonly CreditMovement[]): CreditMovement[] {
  const draws: CreditMovement[] = [];
  for (const movement of movements) {
    let amount = parseDecimal(movement.amount);
    if (amount.units >= 0n) {
      draws.push({ ...movement });
      continue;
    }
    for (const draw of [...draws].reverse()) {
      if (amount.units >= 0n) break;
      if (draw.grantId !== movement.grantId) continue;
      const net = addDecimals(parseDecimal(draw.amount), amount);
      const left = net.units < 0n ? { units: 0n, scale: 0 } : net;
      amount = net.units < 0n ? net : { units: 0n, scale: 0 };
      draw.amount = formatDecimal(left);
    }
  }
  return draws.filter((draw) => parseDecimal(draw.amount).units > 0n);
}

interface GrantRow {
  id: string;
  customer_id: string;
  denomination_type: Denomination['type'];
  denomination_code: string;
  priority: number;
  effective_at: Date;
  expires_at: Date | null;
  created_at: Date;
  remaining: string;
}

function toBookGrant(row: GrantRow): BookGrant {
  return {
    grantId: row.id,
    customerId: row.customer_id,
    denomination: { type: row.denomination_type, code: row.denomination_code },
    remaining: formatDecimal(parseDecimal(row.remaining)),
    priority: row.priority,
    effectiveAt: row.effective_at.toISOString(),
    expiresAt: row.expires_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
  };
}
