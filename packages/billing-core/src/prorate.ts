import { divideRoundingHalfUp, safeCents } from './exactDecimal';

/** A span of time, `start` inclusive and `end` exclusive. */
export interface TimeSpan {
  start: Date;
  end: Date;
}

/** Whole seconds since the epoch; instants are counted by the second, so milliseconds within one are dropped. */
function epochSeconds(instant: Date): bigint {
  return BigInt(Math.floor(instant.getTime() / 1000));
}

/**
 * The part of a flat fee earned over `used`, a slice of `period`, by the second:
 * `feeCents × used seconds / period seconds`, computed exactly and rounded half-up to a whole cent once.
 * The unused part is `feeCents` minus this, so the two always add up to the fee.
 */
export function prorateFlatFee(feeCents: number, used: TimeSpan, period: TimeSpan): number {
  const periodStart = epochSeconds(period.start);
  const periodSeconds = epochSeconds(period.end) - periodStart;
  const usedStart = epochSeconds(used.start);
  const usedEnd = epochSeconds(used.end);
  if (periodSeconds <= 0n) throw new RangeError('the period must last at least a second');
  if (usedStart < periodStart || usedEnd > periodStart + periodSeconds || usedEnd < usedStart)
    throw new RangeError('the used span must lie within the period');
  return safeCents(divideRoundingHalfUp(BigInt(feeCents) * (usedEnd - usedStart), periodSeconds));
}
