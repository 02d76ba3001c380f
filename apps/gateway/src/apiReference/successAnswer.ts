import { SuccessEnvelope } from '@afternoon/contracts/publicAnswers';
import { z } from 'zod';

/**
 * A route's whole success answer: its resource fields beside `success` and `request_id`, as one object (not an
 * `allOf`, whose closed halves would refuse each other's fields), or a union of such objects.
 */
export function successAnswer(answer: z.ZodType): z.ZodType {
  if (answer instanceof z.ZodObject) return SuccessEnvelope.extend(answer.shape);
  if (answer instanceof z.ZodUnion) return z.union((answer.options as z.ZodType[]).map(successAnswer));
  if (answer instanceof z.ZodDiscriminatedUnion) return z.union((answer.options as z.ZodType[]).map(successAnswer));
  throw new Error(`An answer must be an object or a union of objects (${answer.type})`);
}
