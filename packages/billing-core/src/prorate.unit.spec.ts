import { describe, expect, it } from 'vitest';
import { prorateFlatFee } from './prorate';

const at = (iso: string) => new Date(iso);
const january = { start: at('2026-01-01T00:00:00Z'), end: at('2026-02-01T00:00:00Z') }; // 31 days = 2,678,400 s
const february = { start: at('2026-02-01T00:00:00Z'), end: at('2026-03-01T00:00:00Z') }; // 28 days = 2,419,200 s

describe('prorating a flat fee by the second', () => {
  it('charges the used share of the period, rounded once', () => {
    const firstDay = { start: january.start, end: at('2026-01-02T00:00:00Z') };
    expect(prorateFlatFee(1000, firstDay, january)).toBe(32); // 1000 × 86,400 / 2,678,400 = 32.26¢ → 32¢
    const tenAndAHalfDays = { start: january.start, end: at('2026-01-11T12:00:00Z') };
    expect(prorateFlatFee(1000, tenAndAHalfDays, january)).toBe(339); // 1000 × 907,200 / 2,678,400 = 338.71¢ → 339¢
    const secondHalf = { start: at('2026-02-15T00:00:00Z'), end: february.end };
    expect(prorateFlatFee(999, secondHalf, february)).toBe(500); // 999 × 1,209,600 / 2,419,200 = 499.5¢ → 500¢
  });

  it('charges the whole fee for the whole period and nothing for no time', () => {
    expect(prorateFlatFee(4900, january, january)).toBe(4900);
    expect(prorateFlatFee(4900, { start: january.end, end: january.end }, january)).toBe(0);
    const oneSecond = { start: january.start, end: at('2026-01-01T00:00:01Z') };
    expect(prorateFlatFee(4900, oneSecond, january)).toBe(0); // 4900 × 1 / 2,678,400 = 0.0018¢ → 0¢
  });

  it('counts whole seconds, dropping milliseconds', () => {
    const used = { start: at('2026-01-01T00:00:00.999Z'), end: at('2026-01-02T00:00:00.001Z') };
    expect(prorateFlatFee(2678400, used, january)).toBe(86400); // 2,678,400 × 86,400 / 2,678,400 = 86,400¢ exactly
  });

  it('refuses a span outside the period, or an empty period', () => {
    expect(() => prorateFlatFee(1000, { start: at('2025-12-31T00:00:00Z'), end: january.end }, january)).toThrow(
      RangeError,
    );
    expect(() => prorateFlatFee(1000, january, { start: january.start, end: january.start })).toThrow(RangeError);
  });
});
