/** `instant` `months` later on the same day of the month (clamped to the month's end), at the same time of day. */
export function monthsLater(instant: Date, months: number): Date {
  const year = instant.getUTCFullYear();
  const month = instant.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const sameTime = [instant.getUTCHours(), instant.getUTCMinutes(), instant.getUTCSeconds()] as const;
  return new Date(Date.UTC(year, month, Math.min(instant.getUTCDate(), lastDay), ...sameTime));
}
