import { describe, expect, it } from 'vitest';
import { groupKeyOf } from './ratingPeriod';

describe('a group as a rating key', () => {
  it('is the same text whatever order its properties come in, and null without a group', () => {
    expect(groupKeyOf({ region: 'eu', model: 'gpt-4' })).toBe('{"model":"gpt-4","region":"eu"}');
    expect(groupKeyOf({ model: 'gpt-4', region: 'eu' })).toBe(groupKeyOf({ region: 'eu', model: 'gpt-4' }));
    expect(groupKeyOf(null)).toBeNull();
  });
});
