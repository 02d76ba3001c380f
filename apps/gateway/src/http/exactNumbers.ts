import type { IncomingMessage } from 'node:http';
import { fieldPath } from '@afternoon/service-kit';
import type { RequestHandler } from 'express';
import { isLosslessNumber, isSafeNumber, parse } from 'lossless-json';
import { ApiHttpError } from './apiError';

type Path = (string | number)[];

/**
 * Where a JSON body holds a number that `JSON.parse` would change or that JavaScript cannot count with exactly: an
 * integer beyond ±(2^53 − 1), a decimal with more significant digits than a double keeps, one that overflows or
 * underflows. Cheap when there is none (one pass over the bytes outside its strings, nothing decoded); otherwise the
 * body is parsed again without losing digits, to name where. A repeated key counts once, as `JSON.parse` keeps it:
 * the last. The body must already be known to be UTF-8 JSON of a bounded depth (that parse recurses).
 */
export function inexactNumbers(json: Buffer): Path[] {
  if (!holdsInexactLiteral(json)) return [];
  const found: Path[] = [];
  const text = new TextDecoder().decode(json); // as the body parser read it: without a byte order mark
  const root = parse(text, null, { onDuplicateKey: ({ newValue }) => newValue });
  const pending: { value: unknown; path: Path }[] = [{ value: root, path: [] }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const { value, path } = next;
    if (isLosslessNumber(value)) {
      if (!isSafeNumber(value.value)) found.push(path);
    } else if (typeof value === 'object' && value !== null) {
      const children = Object.entries(value).reverse();
      for (const [key, child] of children)
        pending.push({ value: child, path: [...path, Array.isArray(value) ? Number(key) : key] });
    }
  }
  return found;
}

const quote = 0x22;
const backslash = 0x5c;
const isDigit = (code: number) => code >= 0x30 && code <= 0x39;
/** Digits, `.`, `e`, `E`, `+`, `-`: what a numeric literal continues with after its first digit. */
const continuesNumber = (code: number) =>
  isDigit(code) || code === 0x2e || code === 0x65 || code === 0x45 || code === 0x2b || code === 0x2d;

/**
 * Whether any numeric literal outside the body's strings is unsafe. A literal of at most 15 characters without an
 * exponent is an integer below 2^53 or a decimal of at most 14 significant digits, which a double keeps exactly, so
 * only longer ones and exponents are looked at closely.
 */
function holdsInexactLiteral(json: Buffer): boolean {
  let at = 0;
  while (at < json.length) {
    const code = json[at] as number;
    if (code === quote) at = afterString(json, at + 1);
    else if (isDigit(code)) {
      const start = at;
      let exponentAt = -1;
      for (let next = code; at < json.length && continuesNumber(next); next = json[++at] as number)
        if ((next | 0x20) === 0x65) exponentAt = at;
      const exact =
        exponentAt < 0
          ? at - start <= 15 || isSafeNumber(json.toString('latin1', start, at))
          : exactWithExponent(json.toString('latin1', start, at), exponentAt - start);
      if (!exact) return true;
    } else at++;
  }
  return false;
}

const smallestNormal = 2.2250738585072014e-308;

/**
 * `1.5e3`, `2e21`: a mantissa of at most 15 characters is exact in the normal range of a double, unless it makes an
 * integer past 2^53; the rest is `isSafeNumber`'s. Keeps a body of many exponents about as cheap as `JSON.parse`.
 */
function exactWithExponent(literal: string, mantissaLength: number): boolean {
  if (mantissaLength > 15) return isSafeNumber(literal);
  const value = Number(literal);
  if (!Number.isFinite(value)) return false;
  if (Math.abs(value) < smallestNormal) return isSafeNumber(literal);
  return !Number.isInteger(value) || Number.isSafeInteger(value);
}

/** The index just after the string whose content starts at `from`: its first quote not escaped by a backslash. */
function afterString(json: Buffer, from: number): number {
  for (let searchFrom = from; ; ) {
    const end = json.indexOf(quote, searchFrom);
    if (end < 0) return json.length;
    let backslashes = 0;
    while (json[end - 1 - backslashes] === backslash) backslashes++;
    if (backslashes % 2 === 0) return end + 1;
    searchFrom = end + 1;
  }
}

const rawBodies = new WeakMap<IncomingMessage, Buffer>();

/** The body parser's `verify` hook: keeps the bytes it parsed, for `refuseInexactNumbers`. */
export function keepRawBody(request: IncomingMessage, _response: unknown, raw: Buffer): void {
  rawBodies.set(request, raw);
}

/** Refuses a JSON body holding numbers that `JSON.parse` would silently change, naming each one's path. */
export const refuseInexactNumbers: RequestHandler = (request, _response, next) => {
  const raw = rawBodies.get(request);
  if (!raw) return next();
  const paths = inexactNumbers(raw);
  if (paths.length > 0) {
    throw ApiHttpError.validation(
      paths.map((path) => ({
        param: fieldPath(path),
        message:
          'is a number JSON cannot carry exactly (integers up to ±9007199254740991, about 15 significant digits); send it as a string',
      })),
    );
  }
  next();
};
