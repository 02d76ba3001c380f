import type { CommandRecord } from '@afternoon/contracts/messaging';
import type { Request, Response } from 'express';
import type pg from 'pg';
import { ApiHttpError } from '../http/apiError';
import { callerOf } from '../http/requestContext';
import type { StoredResponse } from './idempotencyOutcome';
import { claimIdempotencyKey, fingerprint, recordIdempotentResponse, releaseIdempotencyKey } from './idempotencyStore';

export interface IdempotencyDeps {
  pool: pg.Pool;
  /** How long a request holds its Idempotency-Key before a retry may take it over: its longest possible wait. */
  idempotencyClaimMs: number;
}

/**
 * Runs a write and answers it, once per `Idempotency-Key` when the request has one: a retry gets the first answer
 * (`Idempotent-Replayed: true`); a request while the first is still working gets 409 `IDEMPOTENCY_KEY_IN_USE` at
 * once; a request after the first gave up without an answer (504, 503) runs again with the first's command, which
 * the service recognises by its id. Without the header nothing is read or written here.
 */
export async function answerOnce<Command extends CommandRecord | null>(
  deps: IdempotencyDeps,
  request: Request,
  response: Response,
  command: Command,
  perform: (command: Command) => Promise<StoredResponse>,
): Promise<void> {
  const key = idempotencyKeyOf(request);
  if (key === undefined) return send(response, await perform(command));

  const caller = callerOf(response);
  const claimant: string = response.locals.requestId;
  const claim = await claimIdempotencyKey(deps.pool, caller, key, {
    requestHash: fingerprint(request.method, request.path, request.body),
    command,
    claimant,
    claimMs: deps.idempotencyClaimMs,
  });
  switch (claim.outcome) {
    case 'reused_with_other_request':
      throw ApiHttpError.of(
        'IDEMPOTENCY_KEY_REUSED',
        'This Idempotency-Key was already used with a different request',
        'Idempotency-Key',
      );
    case 'in_use':
      throw ApiHttpError.of(
        'IDEMPOTENCY_KEY_IN_USE',
        'A request with this Idempotency-Key is still in progress; retry it with the same key in a moment to get its result',
        'Idempotency-Key',
      );
    case 'answered':
      response.setHeader('Idempotent-Replayed', 'true');
      return send(response, claim.response);
    case 'claimed': {
      let answer: StoredResponse;
      try {
        answer = await perform(claim.command as Command);
      } catch (error) {
        // Best effort: a claim not released lapses after idempotencyClaimMs all the same.
        await releaseIdempotencyKey(deps.pool, caller, key, claimant).catch(() => undefined);
        throw error;
      }
      await recordIdempotentResponse(deps.pool, caller, key, answer);
      return send(response, answer);
    }
    default: {
      const unknown: never = claim;
      return unknown;
    }
  }
}

function send(response: Response, answer: StoredResponse): void {
  response.status(answer.status).json(answer.body);
}

function idempotencyKeyOf(request: Request): string | undefined {
  const key = request.header('idempotency-key');
  if (key === undefined) return undefined;
  if (key.length < 1 || key.length > 255) {
    throw ApiHttpError.of('VALIDATION_ERROR', 'Idempotency-Key must be 1 to 255 characters', 'Idempotency-Key');
  }
  return key;
}
