import type { z } from 'zod';
import { ValidationError } from '../errors';

/** Parses a request's query or body with its contract, refusing with the first problem and the field it names. */
export function parseInput<Schema extends z.ZodType>(schema: Schema, input: unknown): z.infer<Schema> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const [issue] = parsed.error.issues;
  throw new ValidationError(issue?.message ?? 'invalid input', issue?.path.map(String).join('.') || undefined);
}
