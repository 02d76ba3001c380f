import { formatDecimal, parseDecimal } from '@afternoon/billing-core/exactDecimal';
import type {
  CreateCreditGrant,
  CreditGrantEvent,
  ExpireCreditGrant,
  VoidCreditGrant,
} from '@afternoon/contracts/credits';
import type { SubscriptionStatus } from '@afternoon/contracts/subscriptions';
import {
  ConflictError,
  type Decider,
  type Enriched,
  IllegalStateError,
  NotFoundError,
  ValidationError,
  type WithMetadata,
} from '@afternoon/service-kit';
import { type CreditGrantState, type ExistingCreditGrant, evolve, initialState } from './creditGrant';

/** A credit grant command as sent to `invoice.commands`. */
export type SentCreditGrantCommand = WithMetadata<CreateCreditGrant | VoidCreditGrant | ExpireCreditGrant>;

/** What is left of the grant per the ledger, read under its row's lock; null when there is no such grant. */
type Remaining = { remaining: string | null };

/**
 * A credit grant command as `decide` receives it, at its customer's now (a test clock's, on one): a new grant with
 * its subscription's customer and status and its effective instant; a void or an expiry with what remains.
 */
export type CreditGrantCommand =
  | Enriched<CreateCreditGrant, { customer_id: string; effective_at: string; subscription_status: SubscriptionStatus }>
  | Enriched<VoidCreditGrant, Remaining>
  | Enriched<ExpireCreditGrant, Remaining>;
type CommandOn<T extends CreditGrantCommand['type']> = Extract<CreditGrantCommand, { type: T }>;

/**
 * A grant is created active, then closed once: voided (what remains is removed at once) or expired at `expires_at`
 * (what remains then). Either records the amount it removed, which the ledger alone knows.
 */
export function decide(command: CreditGrantCommand, state: CreditGrantState): CreditGrantEvent[] {
  switch (command.type) {
    case 'CreateCreditGrant':
      return create(command, state);
    case 'VoidCreditGrant':
      return voidGrant(command, state);
    case 'ExpireCreditGrant':
      return expire(command, state);
    default: {
      const unknown: never = command;
      return unknown;
    }
  }
}

export const creditGrantDecider: Decider<CreditGrantCommand, CreditGrantEvent, CreditGrantState> = {
  initialState,
  evolve,
  decide,
};

export function creditGrantNotFound(id: string, param = 'grant_id'): NotFoundError {
  return new NotFoundError(`No such credit grant: '${id}'`, param);
}

function create(command: CommandOn<'CreateCreditGrant'>, state: CreditGrantState): CreditGrantEvent[] {
  const { data } = command;
  if (state.status !== 'absent') throw new ConflictError(`credit grant '${data.grant_id}' already exists`, 'grant_id');
  if (data.subscription_status === 'canceled')
    throw new IllegalStateError(`subscription '${data.subscription_id}' is canceled`);
  const amount = grantAmount(data.amount, data.denomination.type);
  if (data.expires_at !== null && Date.parse(data.expires_at) <= Date.parse(data.effective_at))
    throw new ValidationError(`must be after effective_at (${data.effective_at})`, 'expires_at');
  return [
    {
      type: 'CreditGrantCreated',
      data: {
        grant_id: data.grant_id,
        subscription_id: data.subscription_id,
        customer_id: data.customer_id,
        name: data.name,
        amount,
        denomination: data.denomination,
        priority: data.priority,
        effective_at: data.effective_at,
        expires_at: data.expires_at,
        metadata: data.metadata,
        created_at: command.metadata.issued_at,
      },
    },
  ];
}

function voidGrant(command: CommandOn<'VoidCreditGrant'>, state: CreditGrantState): CreditGrantEvent[] {
  const { grant_id, subscription_id } = command.data;
  // A grant of another subscription is not found under this one.
  if (state.status === 'absent' || state.subscriptionId !== subscription_id) throw creditGrantNotFound(grant_id);
  if (state.status !== 'active') throw new IllegalStateError(`credit grant '${grant_id}' is already ${state.status}`);
  // Past its expiry, what remained expired then (the expiry loop records it): there is nothing left to void.
  if (state.expiresAt !== null && Date.parse(state.expiresAt) <= Date.parse(command.metadata.issued_at))
    throw new IllegalStateError(`credit grant '${grant_id}' expired at ${state.expiresAt}`);
  return [
    {
      type: 'CreditGrantVoided',
      data: {
        grant_id,
        customer_id: state.customerId,
        voided_amount: ledgerRemainder(state, command.data.remaining),
        voided_at: command.metadata.issued_at,
      },
    },
  ];
}

/** Once, at `expires_at`: a grant already closed (expired, or voided before) has nothing left to expire. */
function expire(command: CommandOn<'ExpireCreditGrant'>, state: CreditGrantState): CreditGrantEvent[] {
  const { grant_id } = command.data;
  if (state.status === 'absent') throw creditGrantNotFound(grant_id);
  if (state.status !== 'active') return [];
  if (state.expiresAt === null || Date.parse(state.expiresAt) > Date.parse(command.metadata.issued_at))
    throw new IllegalStateError(`credit grant '${grant_id}' does not expire by ${command.metadata.issued_at}`);
  return [
    {
      type: 'CreditGrantExpired',
      data: {
        grant_id,
        customer_id: state.customerId,
        expired_amount: ledgerRemainder(state, command.data.remaining),
        expired_at: state.expiresAt,
      },
    },
  ];
}

function ledgerRemainder(state: ExistingCreditGrant, remaining: string | null): string {
  if (remaining === null) throw new Error(`credit grant '${state.id}' has a stream but no ledger row`);
  return formatDecimal(parseDecimal(remaining));
}

const positiveDecimal = /^(?:0|[1-9]\d*)(?:\.\d+)?$/;

/** The amount as granted, canonical: positive, and whole minor units for a currency. */
function grantAmount(amount: string, type: 'currency' | 'pricing_unit'): string {
  if (!positiveDecimal.test(amount) || !/[1-9]/.test(amount))
    throw new ValidationError('must be a positive number or numeric string', 'amount');
  const canonical = formatDecimal(parseDecimal(amount));
  if (type === 'currency' && canonical.includes('.'))
    throw new ValidationError(
      'must be a whole number of the currency minor unit (cents) for a currency grant',
      'amount',
    );
  return canonical;
}
