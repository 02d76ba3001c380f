import { z } from 'zod';
import { NonBlankString, PageQuery, Pagination, ResourceId } from './common';
import { Currency } from './currencies';
import { MeterCode } from './meters';
import { DecimalCents, StoredDecimalCents } from './money';

/** A pricing unit's code (`gpu_sec`, `token`): lower_snake_case, like a meter's or a plan's. */
export const PricingUnitCode = MeterCode;
export type PricingUnitCode = z.infer<typeof PricingUnitCode>;

/** What one pricing unit is worth in a currency: `unit_amount` minor units of `currency` (an exact decimal string). */
export const CurrencyConversion = z.strictObject({ currency: Currency, unit_amount: DecimalCents });
export type CurrencyConversion = z.infer<typeof CurrencyConversion>;

/** `POST /v1/pricing_units`. */
export const CreatePricingUnitBody = z.strictObject({
  code: PricingUnitCode,
  name: NonBlankString.trim().max(255),
  currency_conversion: CurrencyConversion.optional(),
});
export type CreatePricingUnitBody = z.infer<typeof CreatePricingUnitBody>;

/** A denomination credits can be granted in and prices stated in, besides currencies. */
export const PricingUnit = z.object({
  id: ResourceId,
  code: PricingUnitCode,
  name: z.string(),
  currency_conversion: z.object({ currency: z.string(), unit_amount: StoredDecimalCents }).nullable(),
  created_at: z.iso.datetime(),
});
export type PricingUnit = z.infer<typeof PricingUnit>;

export const ListPricingUnitsQuery = PageQuery.strict();
export type ListPricingUnitsQuery = z.infer<typeof ListPricingUnitsQuery>;

export const PricingUnitList = z.object({ pricing_units: z.array(PricingUnit), pagination: Pagination });
export type PricingUnitList = z.infer<typeof PricingUnitList>;

/** `GET /pricing-units/{code}` (internal). */
export const PricingUnitAnswer = z.object({ pricing_unit: PricingUnit });
export type PricingUnitAnswer = z.infer<typeof PricingUnitAnswer>;

// Commands (on `invoice.commands`: pricing units belong to invoicing)

export const CreatePricingUnit = z.object({
  type: z.literal('CreatePricingUnit'),
  data: z.object({
    pricing_unit_id: ResourceId,
    code: PricingUnitCode,
    name: CreatePricingUnitBody.shape.name,
    currency_conversion: CurrencyConversion.nullable(),
  }),
});
export type CreatePricingUnit = z.infer<typeof CreatePricingUnit>;

export const PricingUnitCommand = z.discriminatedUnion('type', [CreatePricingUnit]);
export type PricingUnitCommand = z.infer<typeof PricingUnitCommand>;

// Events (on `invoice.events`)

export const PricingUnitCreated = z.object({
  type: z.literal('PricingUnitCreated'),
  data: z.object({
    pricing_unit_id: ResourceId,
    code: PricingUnitCode,
    name: z.string(),
    currency_conversion: z.object({ currency: z.string(), unit_amount: StoredDecimalCents }).nullable(),
    created_at: z.iso.datetime(),
  }),
});
export type PricingUnitCreated = z.infer<typeof PricingUnitCreated>;

export const PricingUnitEvent = z.discriminatedUnion('type', [PricingUnitCreated]);
export type PricingUnitEvent = z.infer<typeof PricingUnitEvent>;

export const pricingUnitEventWireNames = {
  PricingUnitCreated: 'afternoon.invoicing.v1.pricing_unit_created',
} as const satisfies Record<PricingUnitEvent['type'], string>;
