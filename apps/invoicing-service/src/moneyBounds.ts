import { MoneyBoundError } from '@afternoon/billing-core/moneyBounds';
import { ValidationError } from '@afternoon/service-kit';

/** Runs billing-core's arithmetic, refusing an amount past the money bounds as a ValidationError (400, never retried). */
export function withinMoneyBounds<T>(compute: () => T): T {
  try {
    return compute();
  } catch (error) {
    if (error instanceof MoneyBoundError) throw new ValidationError(error.message, error.param);
    throw error;
  }
}
