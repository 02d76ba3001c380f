import { randomBytes } from 'node:crypto';
import type { Mode } from '@afternoon/contracts/common';
import type { NextFunction, Request, Response } from 'express';

export interface Caller {
  organizationId: string;
  mode: Mode;
  apiKeyId: string;
  /** The organization's own requests-per-minute limit; null: RATE_LIMIT_PER_MINUTE applies. */
  rateLimitPerMinute: number | null;
}

declare global {
  namespace Express {
    interface Locals {
      requestId: string;
      caller?: Caller;
    }
  }
}

export function newRequestId(): string {
  return `req_${randomBytes(12).toString('base64url')}`;
}

/** Gives every request its `req_…` id, answered in the `X-Request-Id` header and in every body. */
export function assignRequestId(_request: Request, response: Response, next: NextFunction): void {
  response.locals.requestId = newRequestId();
  response.setHeader('X-Request-Id', response.locals.requestId);
  next();
}

/** The authenticated caller; routes behind `authenticate` always have one. */
export function callerOf(response: Response): Caller {
  const caller = response.locals.caller;
  if (!caller) throw new Error('route used without authentication');
  return caller;
}
