import type { FieldProblem } from '@afternoon/contracts/common';
import type { z } from 'zod';
import { ApiHttpError } from './apiError';

/** Validates input against a contract, reporting every bad field with its path at once. */
export function validate<Schema extends z.ZodType>(schema: Schema, input: unknown, where?: 'query'): z.infer<Schema> {
  const parsed = schema.safeParse(input ?? (where === 'query' ? {} : undefined));
  if (parsed.success) return parsed.data;
  throw ApiHttpError.validation(parsed.error.issues.flatMap(toProblems));
}

function toProblems(issue: z.core.$ZodIssue): FieldProblem[] {
  const path = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({ param: path ? `${path}.${key}` : key, message: 'unknown field' }));
  }
  if (issue.code === 'invalid_type' && issue.input === undefined) return [{ param: path, message: 'is required' }];
  return [{ param: path, message: issue.message }];
}
