import { describe, expect, it } from 'vitest';
import { maxWindowsPerQuery, type TimeWindow, windowsBetween } from './usageWindows';

const at = (iso: string) => Date.parse(iso);
const text = (instant: number) => new Date(instant).toISOString();
const iso = (windows: TimeWindow[] | undefined) => windows?.map(({ start, end }) => [text(start), text(end)]);

describe('windowsBetween', () => {
  it('cuts the first and last window to the range', () => {
    expect(iso(windowsBetween(at('2026-03-01T10:30:00Z'), at('2026-03-01T12:15:00Z'), 'hour'))).toEqual([
      ['2026-03-01T10:30:00.000Z', '2026-03-01T11:00:00.000Z'],
      ['2026-03-01T11:00:00.000Z', '2026-03-01T12:00:00.000Z'],
      ['2026-03-01T12:00:00.000Z', '2026-03-01T12:15:00.000Z'],
    ]);
  });

  it('keys each window by the start of its calendar window, the cut first one included', () => {
    const windows = windowsBetween(at('2026-03-01T10:30:00Z'), at('2026-03-01T12:15:00Z'), 'hour');
    expect(windows?.map(({ calendarStart }) => text(calendarStart))).toEqual([
      '2026-03-01T10:00:00.000Z',
      '2026-03-01T11:00:00.000Z',
      '2026-03-01T12:00:00.000Z',
    ]);
    const months = windowsBetween(at('2028-02-10T00:00:00Z'), at('2028-03-05T00:00:00Z'), 'month');
    expect(months?.map(({ calendarStart }) => text(calendarStart))).toEqual([
      '2028-02-01T00:00:00.000Z',
      '2028-03-01T00:00:00.000Z',
    ]);
  });

  it('places instants before 1970 in their own windows, as Postgres does', () => {
    expect(iso(windowsBetween(at('1969-12-31T23:30:00Z'), at('1970-01-01T00:30:00Z'), 'hour'))).toEqual([
      ['1969-12-31T23:30:00.000Z', '1970-01-01T00:00:00.000Z'],
      ['1970-01-01T00:00:00.000Z', '1970-01-01T00:30:00.000Z'],
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
