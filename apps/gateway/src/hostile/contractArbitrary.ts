import fc from 'fast-check';
import { z } from 'zod';

type JsonSchema = {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
};

// Kept small so a run stays fast: the hostile variants, not the valid values, carry the extremes.
const maxGeneratedLength = 24;
const maxGeneratedItems = 3;

/** Values shaped like `schema`'s input (through zod's JSON Schema), mostly valid: the start for mutations. */
export function contractArbitrary(schema: z.ZodType): fc.Arbitrary<unknown> {
  return fromJsonSchema(z.toJSONSchema(schema, { unrepresentable: 'any', io: 'input' }) as JsonSchema);
}

/** The top-level property names of `schema`'s input, across its alternatives. */
export function contractKeys(schema: z.ZodType): string[] {
  const json = z.toJSONSchema(schema, { unrepresentable: 'any', io: 'input' }) as JsonSchema;
  const keys = [json, ...(json.anyOf ?? []), ...(json.oneOf ?? [])].flatMap((part) =>
    Object.keys(part.properties ?? {}),
  );
  return [...new Set(keys)];
}

function fromJsonSchema(schema: JsonSchema): fc.Arbitrary<unknown> {
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const choices = schema.anyOf ?? schema.oneOf;
  if (choices) return fc.oneof(...choices.map(fromJsonSchema));
  if (schema.allOf?.[0]) return fromJsonSchema(schema.allOf[0]);
  if (Array.isArray(schema.type)) return fc.oneof(...schema.type.map((type) => fromJsonSchema({ ...schema, type })));
  switch (schema.type) {
    case 'string':
      return stringOf(schema);
    case 'integer':
      return fc.integer({ min: Math.max(schema.minimum ?? -1e6, -1e6), max: Math.min(schema.maximum ?? 1e6, 1e6) });
    case 'number':
      return fc.double({
        min: schema.minimum ?? -1e6,
        max: schema.maximum ?? 1e6,
        noNaN: true,
        noDefaultInfinity: true,
      });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(schema.items ? fromJsonSchema(schema.items) : fc.jsonValue(), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.max(schema.minItems ?? 0, Math.min(schema.maxItems ?? maxGeneratedItems, maxGeneratedItems)),
      });
    case 'object':
      return objectOf(schema);
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

function objectOf(schema: JsonSchema): fc.Arbitrary<unknown> {
  const properties = Object.fromEntries(
    Object.entries(schema.properties ?? {}).map(([key, value]) => [key, fromJsonSchema(value)]),
  );
  const known = fc.record(properties, { requiredKeys: schema.required ?? [] });
  if (typeof schema.additionalProperties !== 'object') return known;
  const extra = fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fromJsonSchema(schema.additionalProperties), {
    maxKeys: maxGeneratedItems,
  });
  return fc.tuple(known, extra).map(([fields, more]) => ({ ...more, ...(fields as object) }));
}

function stringOf(schema: JsonSchema): fc.Arbitrary<string> {
  if (schema.format === 'date-time') return instant().map((date) => date.toISOString());
  if (schema.format === 'date') return instant().map((date) => date.toISOString().slice(0, 10));
  if (schema.format === 'email') return fc.constantFrom('billing@acme.com', 'a.b+c@example.co');
  if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern)).filter((text) => fits(text, schema));
  const minLength = schema.minLength ?? 0;
  return fc.string({
    minLength,
    maxLength: Math.max(minLength, Math.min(schema.maxLength ?? 255, maxGeneratedLength)),
  });
}

function instant(): fc.Arbitrary<Date> {
  return fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2030-01-01T00:00:00Z'), noInvalidDate: true });
}

function fits(text: string, schema: JsonSchema): boolean {
  return text.length >= (schema.minLength ?? 0) && text.length <= (schema.maxLength ?? Number.POSITIVE_INFINITY);
}
