import { describe, expect, it } from 'vitest';
import { CreateMeterBody, MeterUsageQuery } from './meters';

const base = { code: 'api_calls', name: 'API calls', event_name: 'api.request' };
const problems = (input: unknown) =>
  CreateMeterBody.safeParse(input).error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`) ?? [];

describe('meter definitions', () => {
  it('fills the optional fields of a count meter', () => {
    expect(CreateMeterBody.parse({ ...base, aggregation: 'count' })).toEqual({
      ...base,
      aggregation: 'count',
      property: null,
      filters: {},
      group_by: [],
    });
  });

  it('needs a property for every aggregation but count, which refuses one', () => {
    expect(problems({ ...base, aggregation: 'sum' })).toEqual(['property: sum needs a property']);
    expect(problems({ ...base, aggregation: 'count', property: 'tokens' })).toEqual([
      'property: count takes no property',
    ]);
    expect(problems({ ...base, aggregation: 'unique_count', property: 'user_id' })).toEqual([]);
  });

  it('refuses codes that are not lower_snake_case, and more than 5 or repeated groupings', () => {
    expect(problems({ ...base, code: 'API-calls', aggregation: 'count' })).toHaveLength(1);
    expect(problems({ ...base, aggregation: 'count', group_by: ['a', 'b', 'c', 'd', 'e', 'f'] })).toHaveLength(1);
    expect(problems({ ...base, aggregation: 'count', group_by: ['a', 'a'] })).toEqual([
      'group_by: must not repeat a property',
    ]);
  });
});

describe('meter usage queries', () => {
  it('reads group_by as a comma-separated list and wants to after from', () => {
    expect(
      MeterUsageQuery.parse({
        meter: 'tokens',
        from: '2026-03-01T00:00:00Z',
        to: '2026-04-01T00:00:00Z',
        group_by: 'model, region',
      }).group_by,
    ).toEqual(['model', 'region']);
    expect(
      MeterUsageQuery.safeParse({ meter: 'tokens', from: '2026-03-01T00:00:00Z', to: '2026-03-01T00:00:00Z' }).success,
    ).toBe(false);
  });
});
