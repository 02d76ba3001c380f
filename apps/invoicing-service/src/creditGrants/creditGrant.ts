import { formatDecimal, parseDecimal, subtractDecimals } from '@afternoon/billing-core/exactDecimal';
import type { CreditAmount, CreditGrant, CreditGrantEvent, Denomination } from '@afternoon/contracts/credits';

/** The event stream of one credit grant. */
export const creditGrantStream = (grantId: string) => `credit_grant-${grantId}`;

/** What a grant's events fix about it; `consumed` is the ledger's (rating's), not the stream's. */
export interface CreditGrantRecord {
  id: string;
  subscriptionId: string;
  customerId: string;
  name: string;
  denomination: Denomination;
  /** Exact decimal strings, in minor units for a currency. */
  amount: string;
  expired: string;
  voided: string;
  priority: number;
  effectiveAt: string;
  expiresAt: string | null;
  voidedAt: string | null;
  metadata: Record<string, string>;
  createdAt: string;
}

export type CreditGrantState =
  | { status: 'absent' }
  | (CreditGrantRecord & { status: 'active' })
  | (CreditGrantRecord & { status: 'voided' })
  | (CreditGrantRecord & { status: 'expired' });

export type ExistingCreditGrant = Exclude<CreditGrantState, { status: 'absent' }>;

export function initialState(): CreditGrantState {
  return { status: 'absent' };
}

export function evolve(state: CreditGrantState, event: CreditGrantEvent): CreditGrantState {
  switch (event.type) {
    case 'CreditGrantCreated': {
      const { data } = event;
      return {
        status: 'active',
        id: data.grant_id,
        subscriptionId: data.subscription_id,
        customerId: data.customer_id,
        name: data.name,
        denomination: data.denomination,
        amount: data.amount,
        expired: '0',
        voided: '0',
        priority: data.priority,
        effectiveAt: data.effective_at,
        expiresAt: data.expires_at,
        voidedAt: null,
        metadata: data.metadata,
        createdAt: data.created_at,
      };
    }
    case 'CreditGrantVoided':
      if (state.status === 'absent') return state;
      return { ...state, status: 'voided', voided: event.data.voided_amount, voidedAt: event.data.voided_at };
    case 'CreditGrantExpired':
      if (state.status === 'absent') return state;
      return { ...state, status: 'expired', expired: event.data.expired_amount };
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}

/**
 * The public shape of a grant whose ledger has drawn `consumed` from it. What remains is what was granted less what
 * was drawn, expired and voided: amounts are exact decimal strings inside, and whole minor units (JSON integers) for
 * a currency outside.
 */
export function toCreditGrant(
  record: CreditGrantRecord & { status: CreditGrant['status'] },
  consumed: string,
): CreditGrant {
  const remaining = [consumed, record.expired, record.voided].reduce(
    (left, taken) => subtractDecimals(left, parseDecimal(taken)),
    parseDecimal(record.amount),
  );
  const amount = (text: string) => creditAmount(record.denomination, text);
  return {
    id: record.id,
    subscription_id: record.subscriptionId,
    customer_id: record.customerId,
    name: record.name,
    denomination: record.denomination,
    pricing_unit_code: record.denomination.type === 'pricing_unit' ? record.denomination.code : null,
    currency_code: record.denomination.type === 'currency' ? record.denomination.code : null,
    amount: amount(record.amount),
    granted: amount(record.amount),
    consumed: amount(consumed),
    expired: amount(record.expired),
    voided: amount(record.voided),
    remaining: amount(formatDecimal(remaining)),
    status: record.status,
    priority: record.priority,
    effective_at: record.effectiveAt,
    expires_at: record.expiresAt,
    voided_at: record.voidedAt,
    metadata: record.metadata,
    created_at: record.createdAt,
  };
}

/**
 * What the stream alone says was drawn from a grant: nothing while it is active (its commands' answers are given as
 * it was created), and everything not expired or voided once it is closed, since closing it took all that remained.
 */
export function consumedPerStream(state: ExistingCreditGrant): string {
  if (state.status === 'active') return '0';
  const taken = subtractDecimals(parseDecimal(state.amount), parseDecimal(state.expired));
  return formatDecimal(subtractDecimals(taken, parseDecimal(state.voided)));
}

/** A currency's amounts are whole minor units, a JSON integer; a pricing unit's an exact decimal string. */
function creditAmount(denomination: Denomination, decimal: string): CreditAmount {
  const canonical = formatDecimal(parseDecimal(decimal));
  return denomination.type === 'currency' && !canonical.includes('.') ? Number(canonical) : canonical;
}
