import type { z } from 'zod';
import { ApiHttpError } from './apiError';

/** A path value that cannot name a resource (`format` refuses it) is simply not found; nothing is sent for it. */
export function existingPathValue(
  value: string | undefined,
  format: z.ZodType<string>,
  resource: string,
  param: string,
): string {
  if (value === undefined || !format.safeParse(value).success)
    throw ApiHttpError.of('NOT_FOUND', `No such ${resource}: '${value}'`, param);
  return value;
}
