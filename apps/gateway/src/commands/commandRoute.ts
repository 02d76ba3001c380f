import type { CommandsOnTopic, CommandTopicName } from '@afternoon/contracts/commandTopics';
import type { CommandRecord } from '@afternoon/contracts/messaging';
import type { TopicSpec } from '@afternoon/contracts/topics';
import type { Request, RequestHandler, Response } from 'express';
import { ApiHttpError, httpStatusOf } from '../http/apiError';
import { callerOf } from '../http/requestContext';
import { answerOnce, type IdempotencyDeps } from '../idempotency/answerOnce';
import type { StoredResponse } from '../idempotency/idempotencyOutcome';
import { type CommandBus, CommandTimeoutError } from './commandBus';

/**
 * What a route asks of its owning service: one of the commands its topic carries (`type` and `data` of one member of
 * that service's contract union), and how a success is answered.
 */
export type CommandSpec<Name extends CommandTopicName = CommandTopicName> = {
  [N in Name]: CommandsOnTopic[N] & {
    topic: TopicSpec & { name: N };
    key: string;
    successStatus: number;
    successBody(result: unknown): Record<string, unknown>;
    /** What must hold in the gateway's own projections before a success is answered (read-your-writes). */
    beforeSuccess?(): Promise<unknown>;
  };
}[Name];

export interface CommandRouteDeps extends IdempotencyDeps {
  bus: CommandBus;
}

/**
 * A write route: validate (inside `build`), send the command, wait for the reply, answer, once per
 * `Idempotency-Key` (see `answerOnce`).
 */
export function commandRoute(
  deps: CommandRouteDeps,
  build: (request: Request<Record<string, string>>, response: Response) => CommandSpec | Promise<CommandSpec>,
): RequestHandler<Record<string, string>> {
  return async (request, response) => {
    const spec = await build(request, response);
    const command = commandRecord(response, spec);
    await answerOnce(deps, request, response, command, (toSend) => sendAndAnswer(deps.bus, spec, toSend, response));
  };
}

/** The record of the request's command: its id from the request's, its tenant the caller's, issued now. */
export function commandRecord(response: Response, command: Pick<CommandRecord, 'type' | 'data'>): CommandRecord {
  const caller = callerOf(response);
  const requestId = response.locals.requestId;
  return {
    type: command.type,
    data: command.data,
    metadata: {
      command_id: `cmd_${requestId.slice(4)}`,
      correlation_id: requestId,
      request_id: requestId,
      organization_id: caller.organizationId,
      mode: caller.mode,
      issued_at: new Date().toISOString(),
    },
  };
}

async function sendAndAnswer(
  bus: CommandBus,
  spec: CommandSpec,
  command: CommandRecord,
  response: Response,
): Promise<StoredResponse> {
  const requestId = response.locals.requestId;
  const reply = await sendCommand(bus, spec.topic, spec.key, command);
  if (reply.ok) {
    await spec.beforeSuccess?.();
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

/** Sends a command and waits for its reply; a timeout is a 504, a command that could not be queued a 503. */
export async function sendCommand(
  bus: CommandBus,
  ...[topic, key, record]: Parameters<CommandBus['send']>
): ReturnType<CommandBus['send']> {
  try {
    return await bus.send(topic, key, record);
  } catch (error) {
    if (error instanceof CommandTimeoutError)
      throw ApiHttpError.of(
        'TIMEOUT',
        'The request was accepted but not completed in time; retry it with the same Idempotency-Key',
      );
    throw ApiHttpError.of(
      'SERVICE_UNAVAILABLE',
      'The request could not be queued; retry it with the same Idempotency-Key and exponential backoff',
    );
  }
}
