import type { FieldProblem } from '@afternoon/contracts/common';
import { fieldPath, type Queryable, ValidationError } from '@afternoon/service-kit';
import type { BillingSettingsCommand } from './businessLogic';

/**
 * Refuses thresholds in a pricing unit the tenant does not have, naming the threshold's field as the body does. Pricing
 * units are invoicing's own, projected in the transaction that made them: no catch-up is needed.
 */
export async function refuseUnknownThresholdUnits(
  tx: Queryable,
  command: BillingSettingsCommand,
): Promise<BillingSettingsCommand> {
  const thresholds = command.data.low_balance_thresholds ?? [];
  const codes = thresholds.flatMap(({ denomination }) =>
    denomination.type === 'pricing_unit' ? [denomination.code] : [],
  );
  if (codes.length === 0) return command;
  const { rows } = await tx.query<{ code: string }>(
    'SELECT code FROM pricing_units WHERE organization_id = $1 AND mode = $2 AND code = ANY($3::text[])',
    [command.metadata.organization_id, command.metadata.mode, codes],
  );
  const known = new Set(rows.map((row) => row.code));
  const problems: FieldProblem[] = thresholds.flatMap(({ denomination }, index) =>
    denomination.type === 'pricing_unit' && !known.has(denomination.code)
      ? [
          {
            param: fieldPath(['low_balance_thresholds', index, 'pricing_unit_code']),
            message: `no such pricing unit: '${denomination.code}'`,
          },
        ]
      : [],
  );
  if (problems.length > 0) throw ValidationError.of(problems);
  return command;
}
