import { describe, expect, it } from 'vitest';
import { maxWindowsPerQuery, windowsBetween } from './usageWindows';

const at = (iso: string) => new Date(iso);
const iso = (windows: { start: Date; end: Date }[] | undefined) =>
  windows?.map(({ start, end }) => [start.toISOString(), end.toISOString()]);

describe('windowsBetween', () => {
  it('cuts the first and last window to the range', () => {
    expect(iso(windowsBetween(at('2026-03-01T10:30:00Z'), at('2026-03-01T12:15:00Z'), 'hour'))).toEqual([
      ['2026-03-01T10:30:00.000Z', '2026-03-01T11:00:00.000Z'],
      ['2026-03-01T11:00:00.000Z', '2026-03-01T12:00:00.000Z'],
      ['2026-03-01T12:00:00.000Z', '2026-03-01T12:15:00.000Z'],
    ]);
  });

  it('follows calendar months, February of a leap year included', () => {
    expect(iso(windowsBetween(at('2028-01-15T00:00:00Z'), at('2028-04-01T00:00:00Z'), 'month'))).toEqual([
      ['2028-01-15T00:00:00.000Z', '2028-02-01T00:00:00.000Z'],
      ['2028-02-01T00:00:00.000Z', '2028-03-01T00:00:00.000Z'],
      ['2028-03-01T00:00:00.000Z', '2028-04-01T00:00:00.000Z'],
    ]);
  });

  it('gives exact days and minutes in UTC', () => {
    expect(windowsBetween(at('2026-10-24T00:00:00Z'), at('2026-10-27T00:00:00Z'), 'day')).toHaveLength(3);
    expect(windowsBetween(at('2026-10-24T00:00:30Z'), at('2026-10-24T00:03:00Z'), 'minute')).toHaveLength(3);
  });

  it(`refuses more than ${maxWindowsPerQuery} windows`, () => {
    expect(windowsBetween(at('2026-01-01T00:00:00Z'), at('2026-03-01T00:00:00Z'), 'minute')).toBeUndefined();
    expect(windowsBetween(at('2026-01-01T00:00:00Z'), at('2026-01-02T00:00:00Z'), 'minute')).toHaveLength(1440);
  });
});
