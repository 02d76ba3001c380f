import type { Response } from 'express';

/** The success envelope of the public API: `{success: true, <resource>: …, request_id}`. */
export function respond(response: Response, status: number, body: Record<string, unknown>): void {
  response.status(status).json({ success: true, ...body, request_id: response.locals.requestId });
}
