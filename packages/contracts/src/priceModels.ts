import { z } from 'zod';
import { NonBlankString, ResourceId } from './common';
import { MeterCode } from './meters';

/** The amounts prices are made of: whole minor units (`amount_cents`) and exact decimals (`unit_amount`). */
export interface PriceAmounts {
  cents: z.ZodNumber;
  decimal: z.ZodString;
}

/**
 * The five price models, with amounts of `amounts`: bounded for what is taken in (bodies, commands), unbounded for
 * what was stored before the bounds (events, read models), so an old plan still reads. `denomination` is what a usage
 * price (not a flat one) may add to say its amounts are in a pricing unit rather than the plan's currency: the code as
 * sent (`pricing_unit_code`), or the code with its conversion as invoicing found it (`pricing_unit`).
 */
export function priceModels<Denomination extends z.ZodRawShape>(
  { cents, decimal }: PriceAmounts,
  denomination: Denomination,
) {
  const priceFields = {
    /** The invoice line's text. */
    description: NonBlankString.trim().max(500),
    /** The charge is raised to this when it comes out lower. */
    minimum_amount_cents: cents.optional(),
  };

  const FlatPrice = z.strictObject({
    model: z.literal('flat'),
    ...priceFields,
    amount_cents: cents,
    timing: z.enum(['in_advance', 'in_arrears']),
  });

  const PerUnitPrice = z.strictObject({
    model: z.literal('per_unit'),
    ...priceFields,
    ...denomination,
    meter_code: MeterCode,
    unit_amount: decimal,
    /** Units of each period's usage that are not charged. */
    free_units: z.number().int().min(0).optional(),
  });

  const { PriceTier, PriceTiers } = priceTiers(decimal);

  /** Each unit priced by the tier it falls in. */
  const GraduatedPrice = z.strictObject({
    model: z.literal('graduated'),
    ...priceFields,
    ...denomination,
    meter_code: MeterCode,
    tiers: PriceTiers,
  });

  /** Every unit priced by the tier the period's total reaches. */
  const VolumePrice = z.strictObject({
    model: z.literal('volume'),
    ...priceFields,
    ...denomination,
    meter_code: MeterCode,
    tiers: PriceTiers,
  });

  /** `package_amount` per started `package_size` units: a partial package is charged as a whole one. */
  const PackagePrice = z.strictObject({
    model: z.literal('package'),
    ...priceFields,
    ...denomination,
    meter_code: MeterCode,
    package_size: z.number().int().positive(),
    package_amount: decimal,
  });

  /** A price as a plan holds it, with an id that stays the same across the plan's versions. */
  const PlanPrice = z.discriminatedUnion('model', [
    FlatPrice.extend({ id: ResourceId }),
    PerUnitPrice.extend({ id: ResourceId }),
    GraduatedPrice.extend({ id: ResourceId }),
    VolumePrice.extend({ id: ResourceId }),
    PackagePrice.extend({ id: ResourceId }),
  ]);

  return { FlatPrice, PerUnitPrice, PriceTier, PriceTiers, GraduatedPrice, VolumePrice, PackagePrice, PlanPrice };
}

/** The tiers of a graduated or volume price, with amounts of `decimal`. */
function priceTiers(decimal: z.ZodString) {
  /** `up_to` is inclusive: with tiers up to 100 and up to 1000, units 1–100 fall in the first, 101–1000 the second. */
  const PriceTier = z.strictObject({
    up_to: z.number().int().positive().nullable(),
    unit_amount: decimal,
    /** Charged once: in a graduated price for each tier the usage enters, in a volume price for the tier it reaches. */
    flat_amount: decimal.optional(),
  });

  /** At least one tier, bounds strictly ascending, and only the last unbounded (`up_to: null`), so every unit has a tier. */
  const PriceTiers = z
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

  return { PriceTier, PriceTiers };
}
