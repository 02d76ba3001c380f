import type { ErrorCode } from '@afternoon/contracts/common';
import { maxInvoiceTotalCents, maxLineAmountCents } from '@afternoon/contracts/money';

/**
 * An amount past the money bounds. billing-core imports nothing with I/O, so it cannot throw the kit's
 * ValidationError; the service turns this into one (400, never retried) where it calls in.
 */
export class MoneyBoundError extends Error {
  readonly code = 'VALIDATION_ERROR' satisfies ErrorCode;

  constructor(
    message: string,
    readonly param?: string,
  ) {
    super(message);
    this.name = 'MoneyBoundError';
  }
}

const lineBound = BigInt(maxLineAmountCents);
const totalBound = BigInt(maxInvoiceTotalCents);

/**
 * A line's exact amount of whole minor units as a number, refused with a MoneyBoundError when it
 * is past ±10^15: `what` says which line in the message, `param` names the field that made it so.
 */
export function boundedLineAmount(amount: bigint, what: string, param?: string): number {
  if (amount > lineBound || amount < -lineBound)
    throw new MoneyBoundError(
      `${what} would be ${amount} minor units; a line amounts to at most ${maxLineAmountCents} (10^15)`,
      param,
    );
  return Number(amount);
}

/** The exact sum of amounts of minor units, in BigInt: no sum passes through an inexact number. */
export function sumMinorUnits(amounts: readonly number[]): bigint {
  return amounts.reduce((total, amount) => total + BigInt(amount), 0n);
}

/** An invoice's exact total of its lines' amounts, refused with a MoneyBoundError when it is past ±10^15. */
export function boundedInvoiceTotal(amounts: readonly number[], param?: string): number {
  const total = sumMinorUnits(amounts);
  if (total > totalBound || total < -totalBound)
    throw new MoneyBoundError(
      `the invoice's total would be ${total} minor units; an invoice totals at most ${maxInvoiceTotalCents} (10^15)`,
      param,
    );
  return Number(total);
}
