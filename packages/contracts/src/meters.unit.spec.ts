import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { CreateMeterBody, MeterEventsQuery, MeterUsageQuery } from './meters';

const base = { code: 'api_calls', name: 'API calls', event_name: 'api.request' };
const issuesOf = (schema: z.ZodType, input: unknown) =>
  schema.safeParse(input).error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`) ?? [];
const problems = (input: unknown) => issuesOf(CreateMeterBody, input);
const range = { meter: 'tokens', from: '2026-03-01T00:00:00Z', to: '2026-04-01T00:00:00Z' };

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

describe('received windows', () => {
  it('takes received_after and received_through alone or together, the latter after the former', () => {
    for (const schema of [MeterUsageQuery, MeterEventsQuery]) {
      expect(issuesOf(schema, { ...range, received_after: '2026-04-01T00:00:00Z' })).toEqual([]);
      expect(issuesOf(schema, { ...range, received_through: '2026-04-03T00:00:00Z' })).toEqual([]);
      expect(
        issuesOf(schema, {
          ...range,
          received_after: '2026-03-01T00:00:00Z',
          received_through: '2026-04-03T00:00:00Z',
        }),
      ).toEqual([]);
      expect(
        issuesOf(schema, {
          ...range,
          received_after: '2026-04-03T00:00:00Z',
          received_through: '2026-04-03T00:00:00Z',
        }),
      ).toEqual(['received_through: must be after received_after']);
    }
  });

  it('wants received instants in UTC, and reports them with a bad range at once', () => {
    expect(
      issuesOf(MeterUsageQuery, {
        ...range,
        to: range.from,
        received_after: '2026-04-01T00:00:00+02:00',
        received_through: 'yesterday',
      }).map((issue) => issue.split(':')[0]),
    ).toEqual(['received_after', 'received_through', 'to']);
  });
});

describe('meter events queries', () => {
  it('defaults limit to 50, allows up to 500, and reads group as a JSON object with null for a missing property', () => {
    const query = MeterEventsQuery.parse({ ...range, group: '{"model":"gpt-4","region":null}' });
    expect(query.limit).toBe(50);
    expect(query.group).toEqual({ model: 'gpt-4', region: null });
    expect(MeterEventsQuery.parse({ ...range, limit: '500' }).limit).toBe(500);
    expect(issuesOf(MeterEventsQuery, { ...range, limit: '501' })).toHaveLength(1);
  });

  it('refuses a group that is not a JSON object of scalars, an inverted range and unknown fields', () => {
    expect(issuesOf(MeterEventsQuery, { ...range, group: 'model=gpt-4' })).toEqual([
      'group: must be a JSON object of grouped property values',
    ]);
    expect(issuesOf(MeterEventsQuery, { ...range, group: '{"model":{"nested":1}}' })).toHaveLength(1);
    expect(issuesOf(MeterEventsQuery, { ...range, group: '["gpt-4"]' })).toHaveLength(1);
    expect(issuesOf(MeterEventsQuery, { ...range, to: range.from })).toEqual(['to: must be after from']);
    expect(issuesOf(MeterEventsQuery, { ...range, window: 'hour' })).toHaveLength(1);
  });
});
