import { formatDecimal, parseDecimal } from '@afternoon/billing-core/exactDecimal';
import type { CreditAmount, CreditGrantEvent, Denomination } from '@afternoon/contracts/credits';
import type { CreditGrantPayload } from '@afternoon/contracts/webhookCatalog';

/** A grant as the catalog follows it: its payload, with its amounts as the events' exact decimal strings. */
export type CreditGrantSubject = Omit<CreditGrantPayload, 'amount' | 'removed_amount'> & {
  amount: string;
  removed_amount: string | null;
};

export function evolveCreditGrant(
  state: CreditGrantSubject | undefined,
  event: CreditGrantEvent,
): CreditGrantSubject | undefined {
  switch (event.type) {
    case 'CreditGrantCreated': {
      const { data } = event;
      return {
        id: data.grant_id,
        subscription_id: data.subscription_id,
        customer_id: data.customer_id,
        name: data.name,
        denomination: data.denomination,
        pricing_unit_code: data.denomination.type === 'pricing_unit' ? data.denomination.code : null,
        currency_code: data.denomination.type === 'currency' ? data.denomination.code : null,
        amount: data.amount,
        status: 'active',
        priority: data.priority,
        effective_at: data.effective_at,
        expires_at: data.expires_at,
        voided_at: null,
        expired_at: null,
        removed_amount: null,
        metadata: data.metadata,
        created_at: data.created_at,
      };
    }
    case 'CreditGrantVoided':
      return (
        state && {
          ...state,
          status: 'voided',
          voided_at: event.data.voided_at,
          removed_amount: event.data.voided_amount,
        }
      );
    case 'CreditGrantExpired':
      return (
        state && {
          ...state,
          status: 'expired',
          expired_at: event.data.expired_at,
          removed_amount: event.data.expired_amount,
        }
      );
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}

export function creditGrantPayload({ amount, removed_amount, ...grant }: CreditGrantSubject): CreditGrantPayload {
  return {
    ...grant,
    amount: apiAmount(grant.denomination, amount),
    removed_amount: removed_amount === null ? null : apiAmount(grant.denomination, removed_amount),
  };
}

/** An amount as the API shows it: whole minor units (a JSON integer) for a currency, a decimal string for a unit. */
export function apiAmount(denomination: Denomination, amount: string): CreditAmount {
  const exact = formatDecimal(parseDecimal(amount));
  return denomination.type === 'currency' ? Number(exact) : exact;
}
