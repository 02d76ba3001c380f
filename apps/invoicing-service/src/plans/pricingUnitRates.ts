import type { FieldProblem } from '@afternoon/contracts/common';
import type { EnrichedPlanPrice, PlanPrice } from '@afternoon/contracts/plans';
import { fieldPath, type Queryable, type Tenant, ValidationError } from '@afternoon/service-kit';

interface PricingUnitRow {
  code: string;
  currency_conversion: { currency: string; unit_amount: string } | null;
}

/**
 * The plan's prices with each `pricing_unit_code` replaced by the pricing unit's conversion into the plan's currency,
 * read from `pricing_units` (pricing units never change, so the plan version keeps the rate it was made with). A code
 * the tenant has no pricing unit for, or one with no conversion into `currency`, is refused naming the price's field.
 * Pricing units are invoicing's own, projected in the transaction that made them: no catch-up is needed.
 */
export async function pricePricingUnits(
  tx: Queryable,
  tenant: Tenant,
  currency: string,
  prices: readonly PlanPrice[],
): Promise<EnrichedPlanPrice[]> {
  const codes = [
    ...new Set(prices.flatMap((price) => (price.model === 'flat' ? [] : (price.pricing_unit_code ?? [])))),
  ];
  if (codes.length === 0) return prices.map(withoutCode);
  const { rows } = await tx.query<PricingUnitRow>(
    `SELECT code, currency_conversion FROM pricing_units
      WHERE organization_id = $1 AND mode = $2 AND code = ANY($3::text[])`,
    [tenant.organizationId, tenant.mode, codes],
  );
  const unitOf = new Map(rows.map((row) => [row.code, row]));
  const problems: FieldProblem[] = [];
  const priced = prices.map((price, index): EnrichedPlanPrice => {
    if (price.model === 'flat' || price.pricing_unit_code === undefined) return withoutCode(price);
    const code = price.pricing_unit_code;
    const param = fieldPath(['prices', index, 'pricing_unit_code']);
    const unit = unitOf.get(code);
    const conversion = unit?.currency_conversion;
    if (!unit) problems.push({ param, message: `no such pricing unit: '${code}'` });
    else if (!conversion || conversion.currency.toLowerCase() !== currency.toLowerCase())
      problems.push({ param, message: `pricing unit '${code}' has no currency_conversion into ${currency}` });
    else return { ...usageWithoutCode(price), pricing_unit: { code, unit_amount: conversion.unit_amount } };
    return usageWithoutCode(price);
  });
  if (problems.length > 0) throw ValidationError.of(problems);
  return priced;
}

type UsagePrice = Exclude<PlanPrice, { model: 'flat' }>;

function withoutCode(price: PlanPrice): EnrichedPlanPrice {
  return price.model === 'flat' ? price : usageWithoutCode(price);
}

function usageWithoutCode(price: UsagePrice): Exclude<EnrichedPlanPrice, { model: 'flat' }> {
  const { pricing_unit_code: _code, ...rest } = price;
  return rest;
}
