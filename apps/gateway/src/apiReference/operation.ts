import type { z } from 'zod';

/** What the document says of one route beyond its request contracts: its name, summary and success answer. */
export interface Operation {
  operationId: string;
  summary: string;
  /** The answer's fields besides `success` and `request_id`. */
  answer: z.ZodType;
  status: 200 | 201;
  /** A receiver of signed events: the header carrying the signature; its body is the sender's, read raw. */
  signatureHeader?: string;
}

export const op = (operationId: string, summary: string, answer: z.ZodType, status: 200 | 201 = 200): Operation => ({
  operationId,
  summary,
  answer,
  status,
});
