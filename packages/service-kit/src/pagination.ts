import { ValidationError } from './errors';

/** An opaque cursor for keyset pagination on (sort value, unique id), e.g. (created_at, id). */
export function encodeCursor(sortValue: string, id: string): string {
  return Buffer.from(JSON.stringify([sortValue, id])).toString('base64url');
}

/** The (sort value, id) pair of a cursor from `encodeCursor`; anything else is a validation error on `cursor`. */
export function decodeCursor(cursor: string): [string, string] {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString());
    if (Array.isArray(value) && typeof value[0] === 'string' && typeof value[1] === 'string') {
      return [value[0], value[1]];
    }
  } catch {}
  throw new ValidationError('cursor is not one this API returned', 'cursor');
}
