import { type BilledLine, type LineCreditGrant, maxCreditGrantsPerLine } from '@afternoon/contracts/invoices';
import { sumMinorUnits } from './moneyBounds';

/**
 * A currency grant's credits that rated usage drew (the ledger's debits of the subscription, in minor units) and
 * that no earlier invoice of the subscription applied yet: drawn minus applied, negative when credits returned to the
 * grant after an invoice applied them.
 */
export interface PendingCredit {
  grant_id: string;
  name: string;
  amount_cents: number;
}

/** What an invoice can apply of a subscription's currency credits. */
export interface CurrencyCredits {
  grants: PendingCredit[];
  /**
   * What earlier invoices applied on entries summing several grants ("N other grants"): attributed to none of them,
   * so their pending amounts overstate what is left by this much, and it is taken off the total.
   */
  unattributedCents: number;
}

/**
 * The invoice's `credit_applied` line: what the grants' pending credits add up to, taken off the invoice's total
 * but never below zero (what does not fit stays pending for the next invoice, which applies it the same way). The
 * grants that return credits are netted first, then the others give in their order until the amount is reached; the
 * line names each grant with its part, negative like the line, the parts adding up to the line's amount. None when
 * nothing is to be applied.
 */
export function creditAppliedLine(
  credits: CurrencyCredits,
  lines: BilledLine[],
  span: { start: Date; end: Date } | null,
): BilledLine | null {
  const applied = creditsApplied(credits, sumMinorUnits(lines.map(({ amount_cents }) => amount_cents)));
  if (applied.length === 0 || !span) return null;
  return {
    kind: 'credit_applied',
    price_id: null,
    description: 'Credits applied',
    quantity: '1',
    amount_cents: Number(sumMinorUnits(applied.map(({ amount_cents }) => amount_cents))),
    period_start: span.start.toISOString(),
    period_end: span.end.toISOString(),
    credit_grants: boundedGrants(applied),
  };
}

/** The first grants by name, and past `maxCreditGrantsPerLine` the others summed into one entry. */
function boundedGrants(parts: LineCreditGrant[]): LineCreditGrant[] {
  if (parts.length <= maxCreditGrantsPerLine) return parts;
  const rest = parts.slice(maxCreditGrantsPerLine - 1);
  const amount = Number(sumMinorUnits(rest.map(({ amount_cents }) => amount_cents)));
  const others = {
    grant_id: null,
    name: `${rest.length} other grants`,
    amount_cents: amount,
    summed_grants: rest.length,
  };
  return [...parts.slice(0, maxCreditGrantsPerLine - 1), others];
}

/** Each grant's part of what is applied to an invoice totalling `total` minor units (see `creditAppliedLine`). */
export function creditsApplied(
  { grants: pending, unattributedCents }: CurrencyCredits,
  total: bigint,
): LineCreditGrant[] {
  const due = sumMinorUnits(pending.map(({ amount_cents }) => amount_cents)) - BigInt(unattributedCents);
  const toApply = minBig(maxBig(due, 0n), maxBig(total, 0n));
  if (toApply === 0n) return [];
  // What the grants giving back credits return is applied first, so the others give that much more.
  let left = toApply - sumMinorUnits(pending.filter(isReturn).map(({ amount_cents }) => amount_cents));
  const parts: LineCreditGrant[] = [];
  for (const { grant_id, name, amount_cents } of pending) {
    const part = isReturn({ amount_cents }) ? BigInt(amount_cents) : minBig(BigInt(amount_cents), left);
    if (!isReturn({ amount_cents })) left -= part;
    if (part !== 0n) parts.push({ grant_id, name, amount_cents: -Number(part) });
  }
  return parts;
}

function isReturn({ amount_cents }: { amount_cents: number }): boolean {
  return amount_cents < 0;
}

function minBig(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

function maxBig(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}
