import type { CommandRecord } from '@afternoon/contracts/messaging';
import type { TopicSpec } from '@afternoon/contracts/topics';
import type { Request, RequestHandler, Response } from 'express';
import type pg from 'pg';
import { ApiHttpError, httpStatusOf } from '../http/apiError';
import { callerOf } from '../http/requestContext';
import {
  claimIdempotencyKey,
  fingerprint,
  recordIdempotentResponse,
  type StoredResponse,
} from '../idempotency/idempotencyStore';
import { type CommandBus, CommandTimeoutError } from './commandBus';

/** What a route asks of its owning service: the command, and how a success is answered. */
export interface CommandSpec {
  topic: TopicSpec;
  key: string;
  type: string;
  data: unknown;
  successStatus: number;
  successBody(result: unknown): Record<string, unknown>;
}

export interface CommandRouteDeps {
  pool: pg.Pool;
  bus: CommandBus;
}

/**
 * A write route: validate (inside `build`), send the command, wait for the reply, answer. With an
 * `Idempotency-Key` header a retry returns the first answer, or re-sends the first command if it is unanswered.
 */
export function commandRoute(
  deps: CommandRouteDeps,
  build: (request: Request<Record<string, string>>, response: Response) => CommandSpec | Promise<CommandSpec>,
): RequestHandler<Record<string, string>> {
  return async (request, response) => {
    const spec = await build(request, response);
    const caller = callerOf(response);
    const requestId = response.locals.requestId;
    let command: CommandRecord = {
      type: spec.type,
      data: spec.data,
      metadata: {
        command_id: `cmd_${requestId.slice(4)}`,
        correlation_id: requestId,
        request_id: requestId,
        organization_id: caller.organizationId,
        mode: caller.mode,
        issued_at: new Date().toISOString(),
      },
    };

    const idempotencyKey = idempotencyKeyOf(request);
    if (idempotencyKey) {
      const claim = await claimIdempotencyKey(
        deps.pool,
        caller,
        idempotencyKey,
        fingerprint(request.method, request.path, request.body),
        command,
      );
      switch (claim.outcome) {
        case 'reused_with_other_request':
          throw ApiHttpError.of(
            'IDEMPOTENCY_KEY_REUSED',
            'This Idempotency-Key was already used with a different request',
            'Idempotency-Key',
          );
        case 'answered':
          response.setHeader('Idempotent-Replayed', 'true');
          response.status(claim.response.status).json(claim.response.body);
          return;
        case 'new':
        case 'pending':
          command = claim.command;
          break;
        default: {
          const unknown: never = claim;
          return unknown;
        }
      }
    }

    const answer = await sendAndAnswer(deps.bus, spec, command, response);
    if (idempotencyKey) await recordIdempotentResponse(deps.pool, caller, idempotencyKey, answer);
    response.status(answer.status).json(answer.body);
  };
}

async function sendAndAnswer(
  bus: CommandBus,
  spec: CommandSpec,
  command: CommandRecord,
  response: Response,
): Promise<StoredResponse> {
  const requestId = response.locals.requestId;
  let reply: Awaited<ReturnType<CommandBus['send']>>;
  try {
    reply = await bus.send(spec.topic, spec.key, command);
  } catch (error) {
    if (error instanceof CommandTimeoutError) {
      throw ApiHttpError.of(
        'TIMEOUT',
        'The request was accepted but not completed in time; retry it with the same Idempotency-Key',
      );
    }
    throw ApiHttpError.of(
      'SERVICE_UNAVAILABLE',
      'The request could not be queued; retry it with the same Idempotency-Key and exponential backoff',
    );
  }
  if (reply.ok) {
    return {
      status: spec.successStatus,
      body: { success: true, ...spec.successBody(reply.result), request_id: requestId },
    };
  }
  return {
    status: httpStatusOf(reply.error.code),
    body: { success: false, error: reply.error, request_id: requestId },
  };
}

function idempotencyKeyOf(request: Request): string | undefined {
  const key = request.header('idempotency-key');
  if (key === undefined) return undefined;
  if (key.length < 1 || key.length > 255) {
    throw ApiHttpError.of('VALIDATION_ERROR', 'Idempotency-Key must be 1 to 255 characters', 'Idempotency-Key');
  }
  return key;
}
