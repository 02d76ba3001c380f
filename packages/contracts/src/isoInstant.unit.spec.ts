import { describe, expect, it } from 'vitest';
import { isoInstant } from './isoInstant';

const maxDateMs = 8.64e15;

describe('isoInstant', () => {
  it('formats every instant as toISOString does, across days, years, the epoch and the edges of Date', () => {
    const instants = [
      0,
      -1,
      1,
      Date.UTC(2026, 9, 1),
      Date.UTC(2026, 9, 1) - 1,
      Date.UTC(2024, 1, 29, 23, 59, 59, 999),
      Date.UTC(9999, 11, 31, 23, 59, 59, 999),
      Date.UTC(10000, 0, 1),
      Date.UTC(-1, 0, 1, 12),
      maxDateMs,
      -maxDateMs,
    ];
    let seed = 20261207;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let index = 0; index < 20_000; index++) instants.push(Math.floor((random() * 2 - 1) * 4e14));
    // Consecutive hours, the shape of an hourly answer, where the day's date part is reused.
    for (let hour = 0; hour < 800; hour++) instants.push(Date.UTC(2026, 9, 1) + hour * 3_600_000 + (hour % 7));
    for (const instant of instants) expect(isoInstant(instant), String(instant)).toBe(new Date(instant).toISOString());
  });

  it('refuses what toISOString refuses', () => {
    expect(() => isoInstant(Number.NaN)).toThrow(RangeError);
    expect(() => isoInstant(maxDateMs + 1)).toThrow(RangeError);
    expect(() => isoInstant(0.5)).not.toThrow();
    expect(isoInstant(1.5)).toBe(new Date(1.5).toISOString());
  });
});
