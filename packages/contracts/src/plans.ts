import { z } from 'zod';
import { NonBlankString, ResourceId } from './common';
import { Currency } from './currencies';
import { MeterCode } from './meters';
import { DecimalCents, PriceAmountCents } from './money';

/** A plan's code follows the same lower_snake_case rule as a meter's. */
export const PlanCode = MeterCode;
export type PlanCode = z.infer<typeof PlanCode>;

export const PlanInterval = z.enum(['week', 'month', 'quarter', 'year']);
export type PlanInterval = z.infer<typeof PlanInterval>;

const priceFields = {
  /** The invoice line's text. */
  description: NonBlankString.trim().max(500),
  /** The charge is raised to this when it comes out lower. */
  minimum_amount_cents: PriceAmountCents.optional(),
};

export const FlatPrice = z.strictObject({
  model: z.literal('flat'),
  ...priceFields,
  amount_cents: PriceAmountCents,
  timing: z.enum(['in_advance', 'in_arrears']),
});
export type FlatPrice = z.infer<typeof FlatPrice>;

export const PerUnitPrice = z.strictObject({
  model: z.literal('per_unit'),
  ...priceFields,
  meter_code: MeterCode,
  unit_amount: DecimalCents,
  /** Units of each period's usage that are not charged. */
  free_units: z.number().int().min(0).optional(),
});
export type PerUnitPrice = z.infer<typeof PerUnitPrice>;

/** `up_to` is inclusive: with tiers up to 100 and up to 1000, units 1–100 fall in the first, 101–1000 the second. */
export const PriceTier = z.strictObject({
  up_to: z.number().int().positive().nullable(),
  unit_amount: DecimalCents,
  /** Charged once: in a graduated price for each tier the usage enters, in a volume price for the tier it reaches. */
  flat_amount: DecimalCents.optional(),
});
export type PriceTier = z.infer<typeof PriceTier>;

/** At least one tier, bounds strictly ascending, and only the last unbounded (`up_to: null`), so every unit has a tier. */
export const PriceTiers = z
  .array(PriceTier)
  .min(1)
  .max(50)
  .superRefine((tiers, context) => {
    tiers.forEach((tier, index) => {
      const isLast = index === tiers.length - 1;
      const previous = tiers[index - 1]?.up_to;
      if (isLast && tier.up_to !== null)
        context.addIssue({ code: 'custom', path: [index, 'up_to'], message: 'the last tier must have up_to: null' });
      else if (!isLast && tier.up_to === null)
        context.addIssue({
          code: 'custom',
          path: [index, 'up_to'],
          message: 'only the last tier may have up_to: null',
        });
      else if (tier.up_to !== null && typeof previous === 'number' && tier.up_to <= previous)
        context.addIssue({ code: 'custom', path: [index, 'up_to'], message: 'must be greater than the tier before' });
    });
  });
export type PriceTiers = z.infer<typeof PriceTiers>;

/** Each unit priced by the tier it falls in. */
export const GraduatedPrice = z.strictObject({
  model: z.literal('graduated'),
  ...priceFields,
  meter_code: MeterCode,
  tiers: PriceTiers,
});
export type GraduatedPrice = z.infer<typeof GraduatedPrice>;

/** Every unit priced by the tier the period's total reaches. */
export const VolumePrice = z.strictObject({
  model: z.literal('volume'),
  ...priceFields,
  meter_code: MeterCode,
  tiers: PriceTiers,
});
export type VolumePrice = z.infer<typeof VolumePrice>;

/** `package_amount` per started `package_size` units: a partial package is charged as a whole one. */
export const PackagePrice = z.strictObject({
  model: z.literal('package'),
  ...priceFields,
  meter_code: MeterCode,
  package_size: z.number().int().positive(),
  package_amount: DecimalCents,
});
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
export const PlanPrice = z.discriminatedUnion('model', [
  FlatPrice.extend({ id: ResourceId }),
  PerUnitPrice.extend({ id: ResourceId }),
  GraduatedPrice.extend({ id: ResourceId }),
  VolumePrice.extend({ id: ResourceId }),
  PackagePrice.extend({ id: ResourceId }),
]);
export type PlanPrice = z.infer<typeof PlanPrice>;

export const maxPlanPrices = 50;

/** `POST /v1/plans`. */
export const CreatePlanBody = z.strictObject({
  code: PlanCode,
  name: NonBlankString.trim().max(255),
  currency: Currency.default('usd'),
  interval: PlanInterval,
  prices: z.array(Price).min(1).max(maxPlanPrices),
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
  prices: z.array(PlanPrice),
  minimum_amount_cents: PriceAmountCents.nullable(),
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
  prices: z.array(RevisedPrice).min(1).max(maxPlanPrices).optional(),
  minimum_amount_cents: PriceAmountCents.nullable().optional(),
});
export type RevisePlanBody = z.infer<typeof RevisePlanBody>;

/** What one version of a plan charges: immutable once made. */
export const PlanDefinition = z.object({
  code: PlanCode,
  name: z.string(),
  currency: z.string(),
  interval: PlanInterval,
  prices: z.array(PlanPrice),
  minimum_amount_cents: PriceAmountCents.nullable(),
});
export type PlanDefinition = z.infer<typeof PlanDefinition>;

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
    changes: RevisePlanBody.extend({ prices: z.array(PlanPrice).min(1).max(maxPlanPrices).optional() }),
  }),
});
export type RevisePlan = z.infer<typeof RevisePlan>;

export const ArchivePlan = z.object({ type: z.literal('ArchivePlan'), data: z.object({ code: PlanCode }) });
export type ArchivePlan = z.infer<typeof ArchivePlan>;

export const PlanCommand = z.discriminatedUnion('type', [CreatePlan, RevisePlan, ArchivePlan]);
export type PlanCommand = z.infer<typeof PlanCommand>;

// Events (on `invoice.events`), each with its versioned wire name beside its schema

export const PlanCreated = z.object({
  type: z.literal('PlanCreated'),
  data: z.object({ plan_id: ResourceId, definition: PlanDefinition, created_at: z.iso.datetime() }),
});
export type PlanCreated = z.infer<typeof PlanCreated>;

/** The whole definition of the new version, so each version reads on its own. */
export const PlanRevised = z.object({
  type: z.literal('PlanRevised'),
  data: z.object({
    plan_id: ResourceId,
    version: z.number().int().min(2),
    definition: PlanDefinition,
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
