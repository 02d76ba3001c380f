import { type FieldProblem, unstorableValues } from '@afternoon/contracts/common';
import type { z } from 'zod';

/** What `parseFields` found: the parsed value, or every problem with the field it names. */
export type FieldsParsed<T> = { success: true; data: T } | { success: false; problems: FieldProblem[] };

/**
 * A field path the way callers write it, `events[3].properties.model`: brackets for array indexes, dots for keys. A
 * key that could not be stored is quoted and escaped, `properties["mo\u0000del"]`, so the path itself always can be.
 */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((written, part) => {
    if (typeof part === 'number') return `${written}[${part}]`;
    const key = String(part);
    if (unstorableValues(key).length > 0) return `${written}[${JSON.stringify(key)}]`;
    return written ? `${written}.${key}` : key;
  }, '');
}

/** Parses input with its contract, naming every bad field by `fieldPath`, each unknown key on its own. */
export function parseFields<Schema extends z.ZodType>(schema: Schema, input: unknown): FieldsParsed<z.infer<Schema>> {
  // Zod keeps an issue's input only when asked; without it a missing field cannot be told from a wrong one.
  const parsed = schema.safeParse(input, { reportInput: true });
  if (parsed.success) return { success: true, data: parsed.data };
  return { success: false, problems: parsed.error.issues.flatMap(problemsOf) };
}

function problemsOf(issue: z.core.$ZodIssue): FieldProblem[] {
  if (issue.code === 'unrecognized_keys')
    return issue.keys.map((key) => ({ param: fieldPath([...issue.path, key]), message: 'unknown field' }));
  const param = fieldPath(issue.path);
  if (issue.code === 'invalid_type' && issue.input === undefined) return [{ param, message: 'is required' }];
  return [{ param, message: issue.message }];
}
