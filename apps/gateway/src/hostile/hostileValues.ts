import fc from 'fast-check';

/**
 * A JSON body with its exact text and whether any contract must refuse it whatever the route (`mustRefuse`): text
 * the server cannot read exactly or store (inexact numbers, NUL, lone surrogates).
 */
export interface HostileBody {
  kind: string;
  value: unknown;
  mustRefuse: boolean;
}

// Number literals JSON.parse cannot carry exactly: accepting one silently changes the client's number.
export const inexactNumbers = [
  '9007199254740993',
  '1.00000000000000000001',
  '0.12345678901234567890123',
  '1e400',
  '123456789012345678901234567890',
];
// Exact but extreme: the contract decides.
const extremeNumbers = ['-0', '1e308', '9007199254740991', '-9007199254740991', '5e-324', '0.1'];
const rawMark = '\u0001raw:';

/** A placeholder that `bodyText` writes as the bare literal `literal` (JSON.stringify cannot write 2^53+1). */
export const rawNumber = (literal: string) => `${rawMark}${literal}`;

/** The exact JSON text of `value`, with raw number placeholders written as their literals. */
export function bodyText(value: unknown): string {
  return (JSON.stringify(value) ?? 'null').replace(/"\\u0001raw:([^"\\]*)"/g, '$1');
}

/** One hostile JSON value and whether its presence alone must make a request refused. */
export const hostileJsonValue: fc.Arbitrary<{ kind: string; value: unknown; mustRefuse: boolean }> = fc.oneof(
  fc
    .constantFrom(...inexactNumbers)
    .map((literal) => ({ kind: 'inexact number', value: rawNumber(literal), mustRefuse: true })),
  fc
    .constantFrom(...extremeNumbers)
    .map((literal) => ({ kind: 'extreme number', value: rawNumber(literal), mustRefuse: false })),
  fc
    .constantFrom('\u0000', 'a\u0000b', '\ud800', 'x\udfffy')
    .map((value) => ({ kind: 'unstorable text', value, mustRefuse: true })),
  fc
    .constantFrom('\u0007\u001b[31m', '\r\n\t', '\u202e', '   ', '', "'; DROP TABLE customers;--", '<script>x</script>')
    .map((value) => ({ kind: 'odd text', value, mustRefuse: false })),
  fc
    .constantFrom(true, null, [], {}, [1, 'a'], { nested: { deeper: [null] } }, 0, -1, 1.5)
    .map((value) => ({ kind: 'wrong type', value, mustRefuse: false })),
  fc.constant({ kind: 'huge string', value: 'x'.repeat(100_000), mustRefuse: false }),
);

export type Path = (string | number)[];

/** Every path into `value`, itself first. */
export function pathsOf(value: unknown, prefix: Path = []): Path[] {
  if (Array.isArray(value)) return [prefix, ...value.flatMap((item, index) => pathsOf(item, [...prefix, index]))];
  if (value && typeof value === 'object')
    return [prefix, ...Object.entries(value).flatMap(([key, item]) => pathsOf(item, [...prefix, key]))];
  return [prefix];
}

/** `value` with what is at `path` replaced. */
export function replaceAt(value: unknown, path: Path, replacement: unknown): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return replacement;
  if (Array.isArray(value))
    return value.map((item, index) => (index === head ? replaceAt(item, rest, replacement) : item));
  const object = value as Record<string, unknown>;
  return { ...object, [head]: replaceAt(object[head], rest, replacement) };
}

function withoutKeyAt(value: unknown, path: Path): unknown {
  if (path.length === 0 || !value || typeof value !== 'object') return value;
  const parent = path.slice(0, -1).reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], value);
  if (!parent || typeof parent !== 'object' || Array.isArray(parent)) return value;
  const { [path[path.length - 1] as string]: _dropped, ...rest } = parent as Record<string, unknown>;
  return replaceAt(value, path.slice(0, -1), rest);
}

/** `valid` as generated, or with one spot replaced, dropped or joined by an unknown field: valid-ish input. */
export function mutated(valid: fc.Arbitrary<unknown>): fc.Arbitrary<HostileBody> {
  return fc
    .tuple(valid, fc.nat(), hostileJsonValue, fc.constantFrom('replace', 'drop', 'unknown field', 'as is'))
    .map(([value, pick, hostile, how]) => {
      const paths = pathsOf(value);
      const path = paths[pick % paths.length] ?? [];
      if (how === 'as is') return { kind: 'contract value', value, mustRefuse: false };
      if (how === 'drop') return { kind: 'dropped field', value: withoutKeyAt(value, path), mustRefuse: false };
      if (how === 'unknown field' && value && typeof value === 'object' && !Array.isArray(value))
        return {
          kind: 'unknown field',
          value: { ...value, zz_unknown_field: hostile.value },
          mustRefuse: hostile.mustRefuse,
        };
      return { kind: hostile.kind, value: replaceAt(value, path, hostile.value), mustRefuse: hostile.mustRefuse };
    });
}
