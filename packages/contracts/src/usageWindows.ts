import type { UsageWindowSize } from './meters';

// The windows of a usage answer (`MeterUsage`). Metering's internal answer names only their values (ADR 0053), so
// metering (keying its rows) and the gateway (making the public windows) both take them from here.

/**
 * A window of an answer in epoch milliseconds: [start, end), cut to the range asked, and `calendarStart`, the start of
 * the UTC calendar window it is part of, which the aggregate's rows are keyed by. Numbers, not dates: an answer of
 * hundreds of windows made and compared a `Date` several times each.
 */
export interface TimeWindow {
  start: number;
  end: number;
  calendarStart: number;
}

/** More windows than this in one answer is refused: ask for a larger window or a shorter range. */
export const maxWindowsPerQuery = 2_000;

const fixedLengthMs = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;

/** The start of the UTC calendar window of `size` that holds `instant` (epoch milliseconds). */
function windowStart(instant: number, size: UsageWindowSize): number {
  if (size !== 'month') return Math.floor(instant / fixedLengthMs[size]) * fixedLengthMs[size];
  const date = new Date(instant);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
}

function nextWindowStart(start: number, size: UsageWindowSize): number {
  if (size !== 'month') return start + fixedLengthMs[size];
  const date = new Date(start);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
}

/** The whole range as the one window of an answer without `window`: its rows carry no bucket, and are keyed 0. */
export const wholeRange = (from: number, to: number): TimeWindow => ({ start: from, end: to, calendarStart: 0 });

/** An answer's windows: `windowsBetween` with a window size, else the whole range as one window. */
export function answerWindows(from: number, to: number, size: UsageWindowSize | null | undefined) {
  return size ? windowsBetween(from, to, size) : [wholeRange(from, to)];
}

/**
 * The UTC calendar windows covering [from, to), the first and last cut to the range, so a range that does not
 * start on a boundary gets a shorter first window rather than events from outside it. Undefined when there would
 * be more than `maxWindowsPerQuery`.
 */
export function windowsBetween(from: number, to: number, size: UsageWindowSize): TimeWindow[] | undefined {
  const windows: TimeWindow[] = [];
  for (let start = windowStart(from, size); start < to; start = nextWindowStart(start, size)) {
    if (windows.length === maxWindowsPerQuery) return undefined;
    const end = nextWindowStart(start, size);
    windows.push({ start: Math.max(start, from), end: Math.min(end, to), calendarStart: start });
  }
  return windows;
}
