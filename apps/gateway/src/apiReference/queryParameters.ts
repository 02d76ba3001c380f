import { z } from 'zod';

/**
 * A query contract as one object of optional-or-required fields, which is how OpenAPI lists query parameters: a
 * union of query shapes (usage by event name or by meter) becomes every field of each, all optional.
 */
export function queryObject(query: z.ZodType): z.ZodObject {
  if (query instanceof z.ZodObject) return query;
  if (query instanceof z.ZodPipe) return queryObject(query.in as z.ZodType);
  if (query instanceof z.ZodUnion) {
    const shapes = (query.options as z.ZodType[]).map((option) => queryObject(option).shape);
    return z.object(Object.assign({}, ...shapes)).partial();
  }
  throw new Error(`A query contract must be an object, a union of objects or a pipe from one (${query.type})`);
}
