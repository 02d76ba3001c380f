import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { fieldPath, parseFields } from './fieldProblems';

const Plan = z.strictObject({
  name: z.string(),
  prices: z.array(
    z.strictObject({
      meter_code: z.string(),
      tiers: z.array(z.strictObject({ up_to: z.number().int().positive() })).optional(),
    }),
  ),
});

const problemsOf = (schema: z.ZodType, input: unknown) => {
  const parsed = parseFields(schema, input);
  return parsed.success ? [] : parsed.problems;
};

describe('fieldPath', () => {
  it('writes array indexes in brackets and keys after dots, as callers do', () => {
    expect(fieldPath(['events', 3, 'properties', 'model'])).toBe('events[3].properties.model');
    expect(fieldPath(['prices', 1, 'tiers', 0, 'up_to'])).toBe('prices[1].tiers[0].up_to');
    expect(fieldPath([0, 'name'])).toBe('[0].name');
    expect(fieldPath(['name'])).toBe('name');
    expect(fieldPath([])).toBe('');
  });

  it('quotes a key that could not be stored, so the path itself always can be', () => {
    expect(fieldPath(['events', 0, 'properties', 'mo\u0000del'])).toBe('events[0].properties["mo\\u0000del"]');
  });
});

describe('parseFields', () => {
  it('names fields nested in arrays and objects', () => {
    const problems = problemsOf(Plan, { name: 'Pro', prices: [{ meter_code: 'tokens', tiers: [{ up_to: -1 }] }] });
    expect(problems).toEqual([{ param: 'prices[0].tiers[0].up_to', message: expect.stringMatching(/>0/) }]);
  });

  it('names each unknown key as its own field', () => {
    const problems = problemsOf(Plan, { name: 'Pro', prices: [{ meter_code: 'tokens', foo: 1, bar: 2 }] });
    expect(problems).toEqual([
      { param: 'prices[0].foo', message: 'unknown field' },
      { param: 'prices[0].bar', message: 'unknown field' },
    ]);
  });

  it('says a missing field is required', () => {
    expect(problemsOf(Plan, { prices: [{}] })).toEqual([
      { param: 'name', message: 'is required' },
      { param: 'prices[0].meter_code', message: 'is required' },
    ]);
  });

  it('names a problem with the whole input by an empty path', () => {
    expect(problemsOf(Plan, 'not an object')).toEqual([{ param: '', message: expect.stringMatching(/object/) }]);
    expect(problemsOf(Plan, undefined)).toEqual([{ param: '', message: 'is required' }]);
  });

  it('tells a wrong value from a missing one', () => {
    expect(problemsOf(Plan, { name: 1, prices: [{ meter_code: null }] })).toEqual([
      { param: 'name', message: 'Invalid input: expected string, received number' },
      { param: 'prices[0].meter_code', message: 'Invalid input: expected string, received null' },
    ]);
  });

  it('gives back the parsed value when every field is good', () => {
    expect(parseFields(Plan, { name: 'Pro', prices: [] })).toEqual({
      success: true,
      data: { name: 'Pro', prices: [] },
    });
  });
});
