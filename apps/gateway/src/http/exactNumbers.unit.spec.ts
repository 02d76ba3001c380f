import { describe, expect, it } from 'vitest';
import { inexactNumbers as inexactNumbersOf } from './exactNumbers';

const inexactNumbers = (text: string) => inexactNumbersOf(Buffer.from(text));

const inexact = (value: string) => inexactNumbers(`{"value":${value}}`);

describe('numbers JSON parsing would change', () => {
  it.each([
    '0.1',
    '1e2',
    '12.345',
    '-42',
    '9007199254740991',
    '-9007199254740991',
    '9007199254740991.0',
    '0.30000000000000004',
    '1.10',
    '100e-2',
    '1E-7',
    '2.2250738585072014e-308',
    '5e-324',
    '123456789.123456',
    '0.000000000000001',
    '1.5e3',
    '9e15',
    '123456789012345e1',
    '1e-320',
  ])('keeps %s, which a double holds exactly', (value) => {
    expect(inexact(value)).toEqual([]);
  });

  it.each([
    ['an integer past 2^53', '9007199254740993'],
    ['2^53 itself, which 2^53 + 1 would also parse to', '9007199254740992'],
    ['a negative integer past 2^53', '-9007199254740993'],
    ['an integer in exponent form past 2^53', '1e21'],
    ['a large integer written with a fraction', '9007199254740993.0'],
    ['20 decimals', '1.00000000000000000001'],
    ['more significant digits than a double keeps', '0.3000000000000000444'],
    ['a decimal of 17 digits', '12345678.123456789'],
    ['an overflow', '1e400'],
    ['an underflow', '1e-400'],
    ['a subnormal that loses a digit', '1.2345e-320'],
    ['a short mantissa whose exponent makes an integer past 2^53', '9.1e15'],
    ['a 15-digit mantissa whose exponent makes an integer past 2^53', '123456789012345e2'],
    ['an overflow below zero', '-1e400'],
  ])('finds %s (%s)', (_why, value) => {
    expect(inexact(value)).toEqual([['value']]);
  });

  it('ignores digits, exponents and escaped quotes inside strings and keys', () => {
    const text = JSON.stringify({
      key: '9007199254740993',
      uuid: '550e8400-e29b-41d4-a716-446655440000',
      quoted: 'say "1.00000000000000000001" \\',
      '12345678901234567890': 'x',
      after: [1, 'a\\"1e400', 2],
    });
    expect(inexactNumbers(text)).toEqual([]);
  });

  it('names every inexact number by its path, in document order', () => {
    const text = `{"events":[{"properties":{"tokens":9007199254740993,"ok":1}},{"properties":{"a":1e400,"b":"1e400"}}],
      "line_items":[{"quantity":1.00000000000000000001}], "nested":[[0.1,[2e22]]]}`;
    expect(inexactNumbers(text)).toEqual([
      ['events', 0, 'properties', 'tokens'],
      ['events', 1, 'properties', 'a'],
      ['line_items', 0, 'quantity'],
      ['nested', 0, 1, 0],
    ]);
  });

  it('reads the body as the body parser does: UTF-8, with or without a byte order mark', () => {
    expect(inexactNumbers('\ufeff{"café 😀":9007199254740993,"b":"😀1e400"}')).toEqual([['café 😀']]);
  });

  it('judges a repeated key by the value JSON.parse keeps, the last', () => {
    expect(inexactNumbers('{"a":9007199254740993,"a":1}')).toEqual([]);
    expect(inexactNumbers('{"a":1,"a":9007199254740993}')).toEqual([['a']]);
  });
});
