import { parseFields } from '@afternoon/service-kit';
import type { z } from 'zod';
import { ApiHttpError } from './apiError';

/** Validates input against a contract, reporting every bad field with its path at once. */
export function validate<Schema extends z.ZodType>(schema: Schema, input: unknown, where?: 'query'): z.infer<Schema> {
  const parsed = parseFields(schema, input ?? (where === 'query' ? {} : undefined));
  if (parsed.success) return parsed.data;
  throw ApiHttpError.validation(parsed.problems);
}
