import type { z } from 'zod';
import { ValidationError } from '../errors';
import { parseFields } from '../fieldProblems';

/** Parses a request's query or body with its contract, refusing with the first problem and the field it names. */
export function parseInput<Schema extends z.ZodType>(schema: Schema, input: unknown): z.infer<Schema> {
  const parsed = parseFields(schema, input);
  if (parsed.success) return parsed.data;
  const [problem] = parsed.problems;
  throw new ValidationError(problem?.message ?? 'invalid input', problem?.param || undefined);
}
