import { describe, expect, it } from 'vitest';
import { StorableJson, unstorableValues } from './common';

describe('what Postgres cannot store', () => {
  it('finds NUL and lone surrogates in strings and keys at any depth, and infinite numbers, by path', () => {
    const body = JSON.parse(
      '{"events":[{"event_name":"ok"},{"event_name":"a\\u0000b","properties":{"mo\\u0000del":"x","model":"\\ud800","fine":"\\ud83d\\ude00","n":1e400}}],"deep":[[["\\udc00"]]]}',
    );
    expect(unstorableValues(body)).toEqual(
      expect.arrayContaining([
        { path: ['events', 1, 'event_name'], message: 'contains a NUL character (\\u0000), which cannot be stored' },
        {
          path: ['events', 1, 'properties', 'mo\u0000del'],
          message: 'field name contains a NUL character (\\u0000), which cannot be stored',
        },
        {
          path: ['events', 1, 'properties', 'model'],
          message: 'contains a lone UTF-16 surrogate, which cannot be stored',
        },
        { path: ['events', 1, 'properties', 'n'], message: 'is a number too large to store' },
        { path: ['deep', 0, 0, 0], message: 'contains a lone UTF-16 surrogate, which cannot be stored' },
      ]),
    );
    expect(unstorableValues(body)).toHaveLength(5);
  });

  it('passes ordinary JSON, emoji (surrogate pairs) included', () => {
    expect(unstorableValues({ a: ['😀', 1.5, true, null, { ключ: 'é' }] })).toEqual([]);
    expect(StorableJson.safeParse({ a: 'b' }).success).toBe(true);
  });

  it('walks nesting far deeper than the call stack allows', () => {
    const deep = JSON.parse(`${'['.repeat(50_000)}"\\u0000"${']'.repeat(50_000)}`);
    expect(unstorableValues(deep)).toHaveLength(1);
  });
});
