import { z } from 'zod';
import { NonBlankString, ResourceId } from './common';
import { Currency } from './currencies';
import { MeterCode } from './meters';
import { DecimalCents, PriceAmountCents, StoredDecimalCents, StoredPriceAmountCents } from './money';
import { priceModels } from './priceModels';
import { PricingUnitCode } from './pricingUnits';

/** A plan's code follows the same lower_snake_case rule as a meter's. */
export const PlanCode = MeterCode;
export type PlanCode = z.infer<typeof PlanCode>;

export const PlanInterval = z.enum(['week', 'month', 'quarter', 'year']);
export type PlanInterval = z.infer<typeof PlanInterval>;

/**
 * The pricing unit a usage price's amounts are in, as invoicing found it when the plan version was made: `unit_amount`
 * minor units of the plan's currency per pricing unit (an exact decimal string). Pricing units never change, so the
 * version keeps the conversion and reads on its own.
 */
export const PriceInPricingUnit = z.strictObject({ code: PricingUnitCode, unit_amount: DecimalCents });
export type PriceInPricingUnit = z.infer<typeof PriceInPricingUnit>;
const StoredPriceInPricingUnit = PriceInPricingUnit.extend({ unit_amount: StoredDecimalCents });

const takenAmounts = { cents: PriceAmountCents, decimal: DecimalCents };
/**
 * Prices as taken in: each amount at most 10^12 minor units (docs/decisions/0004-money-bounds.md); a usage price with
 * `pricing_unit_code` states its amounts in that pricing unit instead of minor units of the plan's currency.
 */
const taken = priceModels(takenAmounts, { pricing_unit_code: PricingUnitCode.optional() });
/** Prices as a plan version holds them once invoicing has looked up their pricing units (`decide` receives these). */
const enriched = priceModels(takenAmounts, { pricing_unit: PriceInPricingUnit.optional() });
/** Prices as stored: what was taken in under any earlier bound still reads back. */
const stored = priceModels(
  { cents: StoredPriceAmountCents, decimal: StoredDecimalCents },
  { pricing_unit: StoredPriceInPricingUnit.optional() },
);

export const FlatPrice = taken.FlatPrice;
export type FlatPrice = z.infer<typeof FlatPrice>;
export const PerUnitPrice = taken.PerUnitPrice;
export type PerUnitPrice = z.infer<typeof PerUnitPrice>;
export const PriceTier = taken.PriceTier;
export type PriceTier = z.infer<typeof PriceTier>;
export const PriceTiers = taken.PriceTiers;
export type PriceTiers = z.infer<typeof PriceTiers>;
export const GraduatedPrice = taken.GraduatedPrice;
export type GraduatedPrice = z.infer<typeof GraduatedPrice>;
export const VolumePrice = taken.VolumePrice;
export type VolumePrice = z.infer<typeof VolumePrice>;
export const PackagePrice = taken.PackagePrice;
export type PackagePrice = z.infer<typeof PackagePrice>;

export const Price = z.discriminatedUnion('model', [
  FlatPrice,
  PerUnitPrice,
  GraduatedPrice,
  VolumePrice,
  PackagePrice,
]);
export type Price = z.infer<typeof Price>;

/** A price as a plan holds it, with an id that stays the same across the plan's versions. */
export const PlanPrice = taken.PlanPrice;
export type PlanPrice = z.infer<typeof PlanPrice>;

/** A plan's price with its pricing unit's conversion, as `decide` receives it and puts it in the plan's events. */
export const EnrichedPlanPrice = enriched.PlanPrice;
export type EnrichedPlanPrice = z.infer<typeof EnrichedPlanPrice>;

/** A plan's price as its events and read model hold it: amounts stored before today's bounds still read. */
export const StoredPlanPrice = stored.PlanPrice;

export const maxPlanPrices = 50;

/**
 * Prices as sent, at most `maxPlanPrices`. A price in a pricing unit takes no `minimum_amount_cents`: every amount of a
 * price is in one denomination, and a minimum in the currency would be a second.
 */
function sentPrices<P extends z.ZodType<{ pricing_unit_code?: string; minimum_amount_cents?: number }>>(price: P) {
  return z
    .array(price)
    .min(1)
    .max(maxPlanPrices)
    .superRefine((prices, context) => {
      prices.forEach((price, index) => {
        if (price.pricing_unit_code !== undefined && price.minimum_amount_cents !== undefined)
          context.addIssue({
            code: 'custom',
            path: [index, 'minimum_amount_cents'],
            message: 'a price in a pricing unit takes no minimum_amount_cents (its amounts are in the pricing unit)',
          });
      });
    });
}

/** `POST /v1/plans`. */
export const CreatePlanBody = z.strictObject({
  code: PlanCode,
  name: NonBlankString.trim().max(255),
  currency: Currency.default('usd'),
  interval: PlanInterval,
  prices: sentPrices(Price),
  /** The plan's charges together are raised to this when they come out lower. */
  minimum_amount_cents: PriceAmountCents.optional(),
});
export type CreatePlanBody = z.infer<typeof CreatePlanBody>;

export const PlanStatus = z.enum(['active', 'archived']);
export type PlanStatus = z.infer<typeof PlanStatus>;

/** A plan with subscribers is never changed in place: a change makes a new `version` under the same `code`. */
export const Plan = z.object({
  id: ResourceId,
  code: PlanCode,
  version: z.number().int().positive(),
  name: z.string(),
  currency: z.string(),
  interval: PlanInterval,
  prices: z.array(StoredPlanPrice),
  minimum_amount_cents: StoredPriceAmountCents.nullable(),
  status: PlanStatus,
  created_at: z.iso.datetime(),
  updated_at: z.iso.datetime(),
});
export type Plan = z.infer<typeof Plan>;

/** A price as `PATCH /v1/plans/{code}` takes it: with the `id` of a price of the plan it continues, or without for a new one. */
export const RevisedPrice = z.discriminatedUnion('model', [
  FlatPrice.extend({ id: ResourceId.optional() }),
  PerUnitPrice.extend({ id: ResourceId.optional() }),
  GraduatedPrice.extend({ id: ResourceId.optional() }),
  VolumePrice.extend({ id: ResourceId.optional() }),
  PackagePrice.extend({ id: ResourceId.optional() }),
]);
export type RevisedPrice = z.infer<typeof RevisedPrice>;

/** `PATCH /v1/plans/{code}`: makes the next version; `prices`, when given, replace the current ones. */
export const RevisePlanBody = z.strictObject({
  name: CreatePlanBody.shape.name.optional(),
  prices: sentPrices(RevisedPrice).optional(),
  minimum_amount_cents: PriceAmountCents.nullable().optional(),
});
export type RevisePlanBody = z.infer<typeof RevisePlanBody>;

/** What one version of a plan charges, as sent: immutable once made. */
export const PlanDefinition = z.object({
  code: PlanCode,
  name: z.string(),
  currency: z.string(),
  interval: PlanInterval,
  prices: sentPrices(PlanPrice),
  minimum_amount_cents: PriceAmountCents.nullable(),
});
export type PlanDefinition = z.infer<typeof PlanDefinition>;

/** A plan version's definition with its prices' pricing units looked up: what `decide` makes the version of. */
export const EnrichedPlanDefinition = PlanDefinition.extend({ prices: z.array(EnrichedPlanPrice).min(1) });
export type EnrichedPlanDefinition = z.infer<typeof EnrichedPlanDefinition>;

/** A plan version's definition as its events hold it: amounts stored before today's bounds still read. */
export const StoredPlanDefinition = PlanDefinition.extend({
  prices: z.array(StoredPlanPrice),
  minimum_amount_cents: StoredPriceAmountCents.nullable(),
});

export const ListPlansQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(100).default(50),
    cursor: z.string().max(500).optional(),
    status: PlanStatus.optional(),
  })
  .strict();
export type ListPlansQuery = z.infer<typeof ListPlansQuery>;

export const GetPlanQuery = z.strictObject({ version: z.coerce.number().int().positive().optional() });
export type GetPlanQuery = z.infer<typeof GetPlanQuery>;

export const PlanList = z.object({
  plans: z.array(Plan),
  pagination: z.object({ has_more: z.boolean(), next_cursor: z.string().nullable() }),
});
export type PlanList = z.infer<typeof PlanList>;

/** `GET /plans/{code}` (internal): the plan, at the version asked for or its latest. */
export const PlanAnswer = z.object({ plan: Plan });
export type PlanAnswer = z.infer<typeof PlanAnswer>;

// Commands (on `invoice.commands`: plans belong to invoicing)

export const CreatePlan = z.object({
  type: z.literal('CreatePlan'),
  data: z.object({ plan_id: ResourceId, definition: PlanDefinition }),
});
export type CreatePlan = z.infer<typeof CreatePlan>;

/** Every price carries an id: the gateway gives new prices one. */
export const RevisePlan = z.object({
  type: z.literal('RevisePlan'),
  data: z.object({
    code: PlanCode,
    changes: RevisePlanBody.extend({ prices: sentPrices(PlanPrice).optional() }),
  }),
});
export type RevisePlan = z.infer<typeof RevisePlan>;

export const ArchivePlan = z.object({ type: z.literal('ArchivePlan'), data: z.object({ code: PlanCode }) });
export type ArchivePlan = z.infer<typeof ArchivePlan>;

export const PlanCommand = z.discriminatedUnion('type', [CreatePlan, RevisePlan, ArchivePlan]);
export type PlanCommand = z.infer<typeof PlanCommand>;

// Events (on `invoice.events`), each with its versioned wire name beside its schema; read back with what was stored

export const PlanCreated = z.object({
  type: z.literal('PlanCreated'),
  data: z.object({ plan_id: ResourceId, definition: StoredPlanDefinition, created_at: z.iso.datetime() }),
});
export type PlanCreated = z.infer<typeof PlanCreated>;

/** The whole definition of the new version, so each version reads on its own. */
export const PlanRevised = z.object({
  type: z.literal('PlanRevised'),
  data: z.object({
    plan_id: ResourceId,
    version: z.number().int().min(2),
    definition: StoredPlanDefinition,
    revised_at: z.iso.datetime(),
  }),
});
export type PlanRevised = z.infer<typeof PlanRevised>;

export const PlanArchived = z.object({
  type: z.literal('PlanArchived'),
  data: z.object({ plan_id: ResourceId, archived_at: z.iso.datetime() }),
});
export type PlanArchived = z.infer<typeof PlanArchived>;

export const PlanEvent = z.discriminatedUnion('type', [PlanCreated, PlanRevised, PlanArchived]);
export type PlanEvent = z.infer<typeof PlanEvent>;

export const planEventWireNames = {
  PlanCreated: 'afternoon.invoicing.v1.plan_created',
  PlanRevised: 'afternoon.invoicing.v1.plan_revised',
  PlanArchived: 'afternoon.invoicing.v1.plan_archived',
} as const satisfies Record<PlanEvent['type'], string>;
