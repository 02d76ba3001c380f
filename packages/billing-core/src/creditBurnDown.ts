import {
  addDecimals,
  compareDecimals,
  type ExactDecimal,
  formatDecimal,
  maxDecimal,
  minDecimal,
  parseDecimal,
  subtractDecimals,
  zero,
} from './exactDecimal';

/*
 * Burn-down (docs/decisions/0015-credits-and-rating-live-in-invoicing.md): a usage event's cost draws the customer's
 * grants in its denomination that are usable at the event's timestamp, in a fixed order, and what they cannot cover
 * is owed. Amounts are exact decimal strings throughout: whole minor units for a currency, exact for a pricing unit.
 */

/** A grant as burn-down sees it: what is left of it and when it may be drawn. Instants are ISO 8601 strings. */
export interface DrawableGrant {
  grantId: string;
  /** What is left to draw, an exact decimal string. */
  remaining: string;
  /** Lower is drawn first. */
  priority: number;
  effectiveAt: string;
  /** Null: never expires. */
  expiresAt: string | null;
  createdAt: string;
}

/** What one grant gives to, or gets back from, one cost. */
export interface CreditMovement {
  grantId: string;
  amount: string;
}

function instant(text: string): number {
  const time = Date.parse(text);
  if (Number.isNaN(time)) throw new RangeError(`not an instant: ${text}`);
  return time;
}

function isUsableAt(grant: DrawableGrant, at: number): boolean {
  const effective = instant(grant.effectiveAt) <= at;
  const unexpired = grant.expiresAt === null || at < instant(grant.expiresAt);
  return effective && unexpired && compareDecimals(parseDecimal(grant.remaining), zero) > 0;
}

function byInstant(a: string, b: string): number {
  return instant(a) - instant(b);
}

/** Never-expiring grants come after every grant that expires. */
function byExpiry(a: string | null, b: string | null): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
  return byInstant(a, b);
}

function drawPrecedence(a: DrawableGrant, b: DrawableGrant): number {
  return (
    a.priority - b.priority ||
    byExpiry(a.expiresAt, b.expiresAt) ||
    byInstant(a.effectiveAt, b.effectiveAt) ||
    byInstant(a.createdAt, b.createdAt) ||
    (a.grantId < b.grantId ? -1 : a.grantId > b.grantId ? 1 : 0)
  );
}

/**
 * The grants usable at `at` (effective by then, not yet expired: a grant expiring at `at` is not, one becoming
 * effective at `at` is; something left), in the order they are drawn: lowest priority, then earliest expiry (never
 * last), then oldest effective, then oldest created, then grant id, so the order is total and the same on a replay.
 */
export function drawOrder(grants: readonly DrawableGrant[], at: string): DrawableGrant[] {
  const time = instant(at);
  return grants.filter((grant) => isUsableAt(grant, time)).sort(drawPrecedence);
}

function nonNegative(text: string, what: string): ExactDecimal {
  const value = parseDecimal(text);
  if (compareDecimals(value, zero) < 0) throw new RangeError(`${what} must not be negative: ${text}`);
  return value;
}

/** A non-negative `cost` at instant `at` drawn from `grants` in drawOrder until covered; the rest is `owed`. */
export function drawCredits(
  cost: string,
  at: string,
  grants: readonly DrawableGrant[],
): { draws: CreditMovement[]; owed: string } {
  let left = nonNegative(cost, 'a cost to draw');
  const draws: CreditMovement[] = [];
  for (const grant of drawOrder(grants, at)) {
    if (compareDecimals(left, zero) <= 0) break;
    const amount = minDecimal(left, parseDecimal(grant.remaining));
    draws.push({ grantId: grant.grantId, amount: formatDecimal(amount) });
    left = subtractDecimals(left, amount);
  }
  return { draws, owed: formatDecimal(left) };
}

/** Adds `amount` to `grantId`'s entry, so a grant drawn more than once gets one return. */
function addReturn(returns: CreditMovement[], grantId: string, amount: ExactDecimal): void {
  const existing = returns.find((movement) => movement.grantId === grantId);
  if (existing) existing.amount = formatDecimal(addDecimals(parseDecimal(existing.amount), amount));
  else returns.push({ grantId, amount: formatDecimal(amount) });
}

/**
 * A negative cost, `refund` its absolute value, given back for the rating key (price, period, group) that drew
 * `priorDraws` (oldest first, each net of what was returned since) and owes `owed`: first what is owed is reduced,
 * then the grants get back what they gave, newest draw first, never more than drawn and only where `canReturnTo`
 * (a grant voided or expired since keeps nothing); what is left is `unreturned`, for the caller to record as a
 * negative owed amount.
 */
export function returnCredits(
  refund: string,
  owed: string,
  priorDraws: readonly CreditMovement[],
  canReturnTo: (grantId: string) => boolean,
): { owedReduction: string; returns: CreditMovement[]; unreturned: string } {
  let left = nonNegative(refund, 'a refund');
  const owedReduction = minDecimal(left, maxDecimal(zero, parseDecimal(owed)));
  left = subtractDecimals(left, owedReduction);
  const returns: CreditMovement[] = [];
  for (const draw of [...priorDraws].reverse()) {
    if (compareDecimals(left, zero) <= 0) break;
    const drawn = maxDecimal(zero, parseDecimal(draw.amount));
    if (compareDecimals(drawn, zero) === 0 || !canReturnTo(draw.grantId)) continue;
    const amount = minDecimal(left, drawn);
    addReturn(returns, draw.grantId, amount);
    left = subtractDecimals(left, amount);
  }
  return { owedReduction: formatDecimal(owedReduction), returns, unreturned: formatDecimal(left) };
}
