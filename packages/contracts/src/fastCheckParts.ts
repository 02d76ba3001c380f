/*
 * What the fast checks share (`cleanIngestBody`, `cleanMeteredUsageRecord`, `cleanUsageRecord`; ADR 0031): each one
 * part of a contract's rules, answering true only where zod certainly accepts the value as it is.
 */

/** `ResourceId`'s pattern. */
const resourceId = /^[a-z][a-z0-9]{24}$/;
/** `NonBlankString`'s pattern. */
const notBlank = /\S/;
/** The form `Date#toISOString` writes; any other form `z.iso.datetime()` accepts goes to zod. */
const isoString = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
/**
 * A NUL, or any UTF-16 surrogate: `StorableJson` refuses a NUL and a lone surrogate; a paired one it accepts, but is
 * rare enough to leave to zod rather than tell apart here.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: a NUL is what it looks for
const maybeUnstorable = /[\u0000\ud800-\udfff]/;

/** An object as `JSON.parse` makes them: its prototype is `Object.prototype`, and it inherits no enumerable key. */
export function isPlainObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

/** A string `ResourceId` accepts. */
export function isResourceId(value: unknown): value is string {
  return typeof value === 'string' && resourceId.test(value);
}

/** A string `NonBlankString.max(255)` accepts: an event's name or idempotency key. */
export function isEventLabel(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 255 && notBlank.test(value);
}

/** Text `StorableJson` certainly accepts: no NUL, no surrogate at all. */
export function isStorableText(text: string): boolean {
  return !maybeUnstorable.test(text);
}

/**
 * A `UsageProperties` zod answers as it is: string keys of 1 to 255 characters (never `__proto__`, which zod's
 * answer, built by assignment, would turn into a prototype), each a string of at most 1,000 characters, a finite
 * number or a boolean. With `storable`, also no key or string `isStorableText` doubts.
 */
export function isCleanProperties(properties: unknown, { storable }: { storable: boolean }): boolean {
  if (!isPlainObject(properties)) return false;
  for (const key in properties) {
    if (key.length < 1 || key.length > 255 || key === '__proto__') return false;
    if (storable && !isStorableText(key)) return false;
    const value = (properties as Record<string, unknown>)[key];
    if (typeof value === 'string') {
      if (value.length > 1000 || (storable && !isStorableText(value))) return false;
    } else if (typeof value === 'number') {
      if (!Number.isFinite(value)) return false;
    } else if (typeof value !== 'boolean') return false;
  }
  return true;
}

/**
 * A real instant written as `toISOString` writes it (which `z.iso.datetime()` accepts): the form, then the date's
 * and time's ranges read digit by digit (a string test and a few character codes, where parsing a `Date` would cost
 * more than zod's own pattern).
 */
export function isIsoString(value: unknown): value is string {
  if (typeof value !== 'string' || !isoString.test(value)) return false;
  const year = number(value, 0, 4);
  const month = number(value, 5, 2);
  const day = number(value, 8, 2);
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return false;
  return number(value, 11, 2) < 24 && number(value, 14, 2) < 60 && number(value, 17, 2) < 60;
}

/** The decimal number of `length` digits at `start` of `text` (known to be digits). */
function number(text: string, start: number, length: number): number {
  let value = 0;
  for (let index = start; index < start + length; index++) value = value * 10 + text.charCodeAt(index) - 48;
  return value;
}

function daysIn(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}
