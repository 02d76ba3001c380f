import type { UsageWindowSize } from '@afternoon/contracts/meters';

export interface TimeWindow {
  start: Date;
  end: Date;
}

/** More windows than this in one answer is refused: ask for a larger window or a shorter range. */
export const maxWindowsPerQuery = 2_000;

/**
 * More groups than this across the windows of one answer (a group counts once in each window it has usage in) is
 * refused: a meter grouped by a property with a value per event would otherwise answer with every event.
 */
export const maxGroupsPerQuery = 10_000;

/** The start of the UTC calendar window of `size` that holds `instant`. */
export function windowStart(instant: Date, size: UsageWindowSize): Date {
  const t = new Date(instant);
  switch (size) {
    case 'minute':
      t.setUTCSeconds(0, 0);
      return t;
    case 'hour':
      t.setUTCMinutes(0, 0, 0);
      return t;
    case 'day':
      t.setUTCHours(0, 0, 0, 0);
      return t;
    case 'month':
      return new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), 1));
    default: {
      const unknown: never = size;
      return unknown;
    }
  }
}

function nextWindowStart(start: Date, size: UsageWindowSize): Date {
  switch (size) {
    case 'minute':
      return new Date(start.getTime() + 60_000);
    case 'hour':
      return new Date(start.getTime() + 3_600_000);
    case 'day':
      return new Date(start.getTime() + 86_400_000);
    case 'month':
      return new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
    default: {
      const unknown: never = size;
      return unknown;
    }
  }
}

/**
 * The UTC calendar windows covering [from, to), the first and last cut to the range, so a range that does not
 * start on a boundary gets a shorter first window rather than events from outside it. Undefined when there would
 * be more than `maxWindowsPerQuery`.
 */
export function windowsBetween(from: Date, to: Date, size: UsageWindowSize): TimeWindow[] | undefined {
  const windows: TimeWindow[] = [];
  for (let start = windowStart(from, size); start < to; start = nextWindowStart(start, size)) {
    if (windows.length === maxWindowsPerQuery) return undefined;
    const end = nextWindowStart(start, size);
    windows.push({ start: start < from ? from : start, end: end > to ? to : end });
  }
  return windows;
}
