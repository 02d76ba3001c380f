import { describe, expect, it } from 'vitest';
import { CustomerMeterUsageAnswer, meterUsageOf, type WindowValuesUsage } from './meterUsageAnswer';

const usage: WindowValuesUsage = {
  meter: 'tokens',
  customer_id: 'c000000000000000000000001',
  from: '2026-03-01T22:30:00.000Z',
  to: '2026-03-02T01:00:00.000Z',
  window: 'hour',
  group_by: [],
  total: '30',
  window_values: ['10', '20', '0'],
  excluded_events: { missing_property: 1, not_numeric: 0 },
  processed_through: '2026-03-02T01:00:05.000Z',
};

describe("metering's answer of a customer's usage, its windows' values", () => {
  it('makes the windows of from, to and window, each with its value, in the public order of fields', () => {
    const made = meterUsageOf(CustomerMeterUsageAnswer.parse({ usage }).usage);
    expect(made.windows).toEqual([
      { start: '2026-03-01T22:30:00.000Z', end: '2026-03-01T23:00:00.000Z', value: '10' },
      { start: '2026-03-01T23:00:00.000Z', end: '2026-03-02T00:00:00.000Z', value: '20' },
      { start: '2026-03-02T00:00:00.000Z', end: '2026-03-02T01:00:00.000Z', value: '0' },
    ]);
    expect(Object.keys(made)).toEqual([
      'meter',
      'customer_id',
      'from',
      'to',
      'window',
      'group_by',
      'total',
      'windows',
      'excluded_events',
      'processed_through',
    ]);
  });

  it('gives each window its groups, and the whole range one window without a window size', () => {
    const groups = [[{ key: { model: 'a' }, value: '30' }]];
    const whole = { ...usage, window: null, group_by: ['model'], window_values: ['30'], window_groups: groups };
    expect(meterUsageOf(CustomerMeterUsageAnswer.parse({ usage: whole }).usage).windows).toEqual([
      { start: '2026-03-01T22:30:00.000Z', end: '2026-03-02T01:00:00.000Z', value: '30', groups: groups[0] },
    ]);
  });

  it('refuses values that are not one for each window, as an answer off its contract', () => {
    const issues = (input: object) =>
      CustomerMeterUsageAnswer.safeParse({ usage: { ...usage, ...input } }).error?.issues.map(
        (issue) => `${issue.path.join('.')}: ${issue.message}`,
      );
    const mismatch = 'usage.window_values: window_values do not match the windows of from, to and window';
    expect(issues({ window_values: ['10', '20'] })).toEqual([mismatch]);
    expect(issues({ window_groups: [[], []] })).toEqual([mismatch]);
    expect(issues({ window: 'minute' })).toEqual([mismatch]);
    expect(() => meterUsageOf({ ...usage, window_values: ['10'] })).toThrow('do not match the windows');
  });
});
