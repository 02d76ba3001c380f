const dayMs = 86_400_000;
/** The furthest instant from the epoch a `Date` holds, either way. */
const maxDateMs = 8.64e15;
/** The last day formatted: its number since the epoch and its date part (`2026-10-01T`). */
let lastDay = Number.NaN;
let lastDatePart = '';

const twoDigits = (value: number) => (value < 10 ? `0${value}` : `${value}`);
const threeDigits = (value: number) => (value < 10 ? `00${value}` : value < 100 ? `0${value}` : `${value}`);

/**
 * `new Date(epochMs).toISOString()`, the same text for every instant, without a `Date`: the date part is formatted
 * once per day and the time of day by arithmetic. An answer of hourly windows formats hundreds of instants, and
 * `toISOString` cost ~0.5 µs each.
 */
export function isoInstant(epochMs: number): string {
  // Fractions, NaN and instants a Date cannot hold: toISOString's own answer (or RangeError).
  if (!Number.isInteger(epochMs) || Math.abs(epochMs) > maxDateMs) return new Date(epochMs).toISOString();
  const day = Math.floor(epochMs / dayMs);
  if (day !== lastDay) {
    const midnight = new Date(day * dayMs).toISOString();
    // Everything before the time of day (`00:00:00.000Z`), so years past 9999 keep toISOString's own form.
    lastDatePart = midnight.slice(0, midnight.length - 13);
    lastDay = day;
  }
  const inDay = epochMs - day * dayMs;
  const hours = Math.floor(inDay / 3_600_000);
  const minutes = Math.floor(inDay / 60_000) % 60;
  const seconds = Math.floor(inDay / 1000) % 60;
  return `${lastDatePart}${twoDigits(hours)}:${twoDigits(minutes)}:${twoDigits(seconds)}.${threeDigits(inDay % 1000)}Z`;
}
