import { z } from 'zod';
import { Metadata, NonBlankString, PageQuery, Pagination, ResourceId } from './common';
import { Currency } from './currencies';
import { InternalWaitMs } from './meteredUsage';
import { PricingUnitCode } from './pricingUnits';
import { UtcTimestamp } from './usage';

/*
 * Credits: grants on a subscription in a currency or a pricing unit, drawn down by the cost of usage as it is rated
 * (docs/decisions/0015-credits-and-rating-live-in-invoicing.md). In the API, currency amounts are integers of the
 * currency's minor unit and pricing-unit amounts exact decimal strings; in events and internal answers every amount is
 * an exact decimal string.
 */

/** The most one grant may be: 10^15 minor units or pricing units. */
export const maxCreditAmount = 1e15;

const positiveDecimalFormat = /^(?:0|[1-9]\d{0,15})(?:\.\d{1,12})?$/;
/** A signed exact decimal as events and ledgers hold it ("-12.5"). */
export const SignedDecimal = z.string().regex(/^-?(?:0|[1-9]\d*)(?:\.\d+)?$/, 'must be a decimal string');
export type SignedDecimal = z.infer<typeof SignedDecimal>;

/** What a denomination is: a currency (`usd`) or a pricing unit (`gpu_sec`). */
export const Denomination = z.object({ type: z.enum(['currency', 'pricing_unit']), code: z.string() });
export type Denomination = z.infer<typeof Denomination>;

/** An amount in the API: whole minor units (a JSON integer) for currencies, a decimal string for pricing units. */
export const CreditAmount = z.union([z.number().int(), SignedDecimal]);
export type CreditAmount = z.infer<typeof CreditAmount>;

/** A grant's amount as sent: a positive number or numeric string, at most 12 decimals and 10^15. */
export const GrantAmountInput = z
  .union([z.number(), z.string()])
  .transform((value) => (typeof value === 'number' ? (Number.isFinite(value) ? String(value) : 'NaN') : value.trim()))
  .refine(
    (text) => positiveDecimalFormat.test(text),
    'must be a positive number or numeric string, at most 12 decimals',
  )
  .refine((text) => /[1-9]/.test(text), 'must be greater than 0')
  .refine((text) => Number(text.split('.')[0]) <= maxCreditAmount, `must be at most ${maxCreditAmount}`);

/** `POST /v1/subscriptions/{id}/credit-grants`: exactly one of `pricing_unit_code` and `currency_code`. */
export const CreateCreditGrantBody = z
  .strictObject({
    name: NonBlankString.trim().max(255),
    amount: GrantAmountInput,
    pricing_unit_code: PricingUnitCode.optional(),
    currency_code: Currency.optional(),
    /** Null or absent: never expires. */
    expires_at: UtcTimestamp.nullable().optional(),
    /** Defaults to now (the customer's test clock's now, when it has one). */
    effective_at: UtcTimestamp.optional(),
    /** Lower is drawn first; then earliest expiry, then oldest grant. */
    priority: z.number().int().min(0).max(1000).optional(),
    metadata: Metadata.optional(),
  })
  .superRefine((body, context) => {
    if (body.pricing_unit_code !== undefined && body.currency_code !== undefined)
      context.addIssue({
        code: 'custom',
        path: ['currency_code'],
        message: 'give either pricing_unit_code or currency_code, not both',
      });
    if (body.pricing_unit_code === undefined && body.currency_code === undefined)
      context.addIssue({
        code: 'custom',
        path: ['pricing_unit_code'],
        message: 'is required: give pricing_unit_code or currency_code',
      });
    if (body.currency_code !== undefined && body.amount.includes('.'))
      context.addIssue({
        code: 'custom',
        path: ['amount'],
        message: 'must be a whole number of the currency minor unit (cents) for a currency grant',
      });
    if (body.expires_at && body.effective_at && Date.parse(body.expires_at) <= Date.parse(body.effective_at))
      context.addIssue({ code: 'custom', path: ['expires_at'], message: 'must be after effective_at' });
  });
export type CreateCreditGrantBody = z.infer<typeof CreateCreditGrantBody>;

export const CreditGrantStatus = z.enum(['active', 'voided', 'expired']);
export type CreditGrantStatus = z.infer<typeof CreditGrantStatus>;

/** A grant with what became of it: `remaining` = `granted` − `consumed` − `expired` − `voided`. */
export const CreditGrant = z.object({
  id: ResourceId,
  subscription_id: ResourceId,
  customer_id: ResourceId,
  name: z.string(),
  denomination: Denomination,
  pricing_unit_code: z.string().nullable(),
  currency_code: z.string().nullable(),
  amount: CreditAmount,
  granted: CreditAmount,
  consumed: CreditAmount,
  expired: CreditAmount,
  voided: CreditAmount,
  remaining: CreditAmount,
  status: CreditGrantStatus,
  priority: z.number().int(),
  effective_at: z.iso.datetime(),
  expires_at: z.iso.datetime().nullable(),
  voided_at: z.iso.datetime().nullable(),
  metadata: z.record(z.string(), z.string()),
  created_at: z.iso.datetime(),
});
export type CreditGrant = z.infer<typeof CreditGrant>;

export const ListCreditGrantsQuery = PageQuery.strict();
export type ListCreditGrantsQuery = z.infer<typeof ListCreditGrantsQuery>;

export const CreditGrantList = z.object({ credit_grants: z.array(CreditGrant), pagination: Pagination });
export type CreditGrantList = z.infer<typeof CreditGrantList>;

/** `GET /subscriptions/{id}/credit-grants/{grant_id}` (internal). */
export const CreditGrantAnswer = z.object({ credit_grant: CreditGrant });
export type CreditGrantAnswer = z.infer<typeof CreditGrantAnswer>;

/** One grant's part of a balance. */
export const BalanceGrant = z.object({
  grant_id: ResourceId,
  name: z.string(),
  granted: CreditAmount,
  consumed: CreditAmount,
  expired: CreditAmount,
  voided: CreditAmount,
  available: CreditAmount,
  effective_at: z.iso.datetime(),
  expires_at: z.iso.datetime().nullable(),
});
export type BalanceGrant = z.infer<typeof BalanceGrant>;

/** A customer's balance in one denomination at `as_of`: `available` = `granted` − `consumed` − `expired` − `voided`. */
export const CustomerBalance = z.object({
  denomination: Denomination,
  granted: CreditAmount,
  consumed: CreditAmount,
  expired: CreditAmount,
  voided: CreditAmount,
  available: CreditAmount,
  grants: z.array(BalanceGrant),
  as_of: z.iso.datetime(),
});
export type CustomerBalance = z.infer<typeof CustomerBalance>;

/** `GET /v1/customers/{id}/balances?as_of=`: the balance at a past instant, given everything known now. */
export const BalancesQuery = z.strictObject({ as_of: UtcTimestamp.optional() });
export type BalancesQuery = z.infer<typeof BalancesQuery>;

/** `GET /customers/{id}/balances` (internal). */
export const CustomerBalancesAnswer = z.object({ balances: z.array(CustomerBalance), as_of: z.iso.datetime() });
export type CustomerBalancesAnswer = z.infer<typeof CustomerBalancesAnswer>;

/** What one usage event cost in one denomination. */
export const UsageCost = z.object({ denomination: Denomination, amount: CreditAmount });
export type UsageCost = z.infer<typeof UsageCost>;

/**
 * `GET /rated-usage/{usage_id}?wait_ms=` (internal, the single-event ingest): what a usage event cost, with its
 * customer's balances after it in the same reply; 404 until it is rated. With `wait_ms`, the question is held until
 * the event is rated, and answered 404 only once that has passed.
 */
export const RatedUsageQuery = z.strictObject({ wait_ms: InternalWaitMs.optional() });
export type RatedUsageQuery = z.infer<typeof RatedUsageQuery>;

export const RatedUsageAnswer = z.object({
  usage_id: ResourceId,
  customer_id: ResourceId,
  cost: z.array(UsageCost),
  balances: z.array(CustomerBalance),
  as_of: z.iso.datetime(),
});
export type RatedUsageAnswer = z.infer<typeof RatedUsageAnswer>;

// Commands (on `invoice.commands`: credits belong to invoicing)

/** `effective_at` absent: invoicing takes the customer's now (its test clock's, when it has one). */
export const CreateCreditGrant = z.object({
  type: z.literal('CreateCreditGrant'),
  data: z.object({
    grant_id: ResourceId,
    subscription_id: ResourceId,
    name: z.string(),
    amount: z.string(),
    denomination: Denomination,
    effective_at: z.iso.datetime().optional(),
    expires_at: z.iso.datetime().nullable(),
    priority: z.number().int().min(0).max(1000),
    metadata: Metadata,
  }),
});
export type CreateCreditGrant = z.infer<typeof CreateCreditGrant>;

export const VoidCreditGrant = z.object({
  type: z.literal('VoidCreditGrant'),
  data: z.object({ grant_id: ResourceId, subscription_id: ResourceId }),
});
export type VoidCreditGrant = z.infer<typeof VoidCreditGrant>;

/** Sent by invoicing's own expiry loop once the customer's clock reaches `expires_at`. */
export const ExpireCreditGrant = z.object({
  type: z.literal('ExpireCreditGrant'),
  data: z.object({ grant_id: ResourceId }),
});
export type ExpireCreditGrant = z.infer<typeof ExpireCreditGrant>;

export const CreditGrantCommand = z.discriminatedUnion('type', [CreateCreditGrant, VoidCreditGrant, ExpireCreditGrant]);
export type CreditGrantCommand = z.infer<typeof CreditGrantCommand>;

// Events (on `invoice.events`)

export const CreditGrantCreated = z.object({
  type: z.literal('CreditGrantCreated'),
  data: z.object({
    grant_id: ResourceId,
    subscription_id: ResourceId,
    customer_id: ResourceId,
    name: z.string(),
    amount: SignedDecimal,
    denomination: Denomination,
    priority: z.number().int(),
    effective_at: z.iso.datetime(),
    expires_at: z.iso.datetime().nullable(),
    metadata: z.record(z.string(), z.string()),
    created_at: z.iso.datetime(),
  }),
});
export type CreditGrantCreated = z.infer<typeof CreditGrantCreated>;

/** The remainder at the void is removed from the balance. */
export const CreditGrantVoided = z.object({
  type: z.literal('CreditGrantVoided'),
  data: z.object({
    grant_id: ResourceId,
    customer_id: ResourceId,
    voided_amount: SignedDecimal,
    voided_at: z.iso.datetime(),
  }),
});
export type CreditGrantVoided = z.infer<typeof CreditGrantVoided>;

/** The remainder at `expires_at` expires, once. */
export const CreditGrantExpired = z.object({
  type: z.literal('CreditGrantExpired'),
  data: z.object({
    grant_id: ResourceId,
    customer_id: ResourceId,
    expired_amount: SignedDecimal,
    expired_at: z.iso.datetime(),
  }),
});
export type CreditGrantExpired = z.infer<typeof CreditGrantExpired>;

export const CreditGrantEvent = z.discriminatedUnion('type', [
  CreditGrantCreated,
  CreditGrantVoided,
  CreditGrantExpired,
]);
export type CreditGrantEvent = z.infer<typeof CreditGrantEvent>;

/** One price's part of a rated event: the quantity it added to its period's total and what that cost. */
export const RatedCharge = z.object({
  subscription_id: ResourceId,
  price_id: ResourceId,
  meter_code: z.string(),
  period_start: z.iso.datetime(),
  /** The group's key as canonical JSON, for a price on a meter with `group_by`; null otherwise. */
  group_key: z.string().nullable(),
  quantity: SignedDecimal,
  denomination: Denomination,
  /** The period's charge after the event minus before it (whole minor units for a currency). */
  cost: SignedDecimal,
});
export type RatedCharge = z.infer<typeof RatedCharge>;

/** A draw on one grant (negative: returned to it). */
export const CreditDebit = z.object({
  grant_id: ResourceId,
  denomination: Denomination,
  amount: SignedDecimal,
  /** The charge this draw covers, named by its rating key. */
  subscription_id: ResourceId,
  price_id: ResourceId,
  period_start: z.iso.datetime(),
  group_key: z.string().nullable(),
});
export type CreditDebit = z.infer<typeof CreditDebit>;

/** One usage event as rated: its charges, the credits they drew, and what is owed in currency or units. */
export const RatedUsage = z.object({
  usage_id: ResourceId,
  timestamp: z.iso.datetime(),
  charges: z.array(RatedCharge),
  debits: z.array(CreditDebit),
  owed: z.array(z.object({ denomination: Denomination, amount: SignedDecimal })),
});
export type RatedUsage = z.infer<typeof RatedUsage>;

/** What rating decided for a batch of one customer's usage events: appended once, replayed into the ledger. */
export const UsageRated = z.object({
  type: z.literal('UsageRated'),
  data: z.object({ customer_id: ResourceId, rated: z.array(RatedUsage).min(1) }),
});
export type UsageRated = z.infer<typeof UsageRated>;

/**
 * A customer's available balance in a denomination (the remainder of its active grants in it) fell from at least the
 * organization's low-balance threshold to below it, rating the usage event timestamped `at`.
 */
export const BalanceLow = z.object({
  type: z.literal('BalanceLow'),
  data: z.object({
    customer_id: ResourceId,
    denomination: Denomination,
    available: SignedDecimal,
    threshold: SignedDecimal,
    at: z.iso.datetime(),
  }),
});
export type BalanceLow = z.infer<typeof BalanceLow>;

/** A customer's available balance in a denomination reached zero, rating the usage event timestamped `at`. */
export const BalanceDepleted = z.object({
  type: z.literal('BalanceDepleted'),
  data: z.object({ customer_id: ResourceId, denomination: Denomination, at: z.iso.datetime() }),
});
export type BalanceDepleted = z.infer<typeof BalanceDepleted>;

/** A balance crossing announced by rating, on the rating stream after the `UsageRated` that caused it. */
export type BalanceEvent = BalanceLow | BalanceDepleted;

export const RatingEvent = z.discriminatedUnion('type', [UsageRated, BalanceLow, BalanceDepleted]);
export type RatingEvent = z.infer<typeof RatingEvent>;

export const creditGrantEventWireNames = {
  CreditGrantCreated: 'afternoon.invoicing.v1.credit_grant_created',
  CreditGrantVoided: 'afternoon.invoicing.v1.credit_grant_voided',
  CreditGrantExpired: 'afternoon.invoicing.v1.credit_grant_expired',
} as const satisfies Record<CreditGrantEvent['type'], string>;

export const ratingEventWireNames = {
  UsageRated: 'afternoon.invoicing.v1.usage_rated',
  BalanceLow: 'afternoon.invoicing.v1.balance_low',
  BalanceDepleted: 'afternoon.invoicing.v1.balance_depleted',
} as const satisfies Record<RatingEvent['type'], string>;
