import { describe, expect, it } from 'vitest';
import { MeteredQuantity } from './meteredUsage';

describe('what one meter takes from one event', () => {
  const quantity = (value: string | null) =>
    MeteredQuantity.safeParse({ meter_code: 'tokens', aggregation: 'sum', quantity: value, group: null }).success;

  it('is a plain decimal, as rating and alerts add it up exactly, or null where the meter does not add up', () => {
    for (const value of ['1', '0', '-0.5', '12.250', null]) expect(quantity(value), String(value)).toBe(true);
    for (const value of ['1e3', '.5', '1.', ' 1', 'NaN', '']) expect(quantity(value), value).toBe(false);
  });
});
