import { ErrorCode } from '@afternoon/contracts/common';
import type { RawResponse } from '../../test/rawRequest';
import type { HostileCase } from './hostileRequests';
import type { RouteFuzz } from './routeDescriptions';

/** What is wrong with `response` to `hostile` (empty when nothing): a 5xx, a 4xx without the envelope, …. */
export function problemsOf(fuzz: RouteFuzz, hostile: HostileCase, response: RawResponse | Error): string[] {
  if (response instanceof Error) return [`no answer (${response.message})`];
  const { status } = response;
  const problems: string[] = [];
  if (status >= 500) problems.push(`${status} ${codeOf(response)}`);
  if (status >= 400 && status < 500 && !(fuzz.pages && status === 404)) problems.push(...envelopeProblems(response));
  if (hostile.expect === 'refuse' && status < 400) problems.push(`accepted with ${status} what must be refused`);
  if (hostile.expect === 'authorized' && status === 401) problems.push(`401 ${codeOf(response)} for a valid key`);
  return problems;
}

/** `{success: false, error: {code, message, param?}, request_id}`, nothing less. */
export function envelopeProblems(response: RawResponse): string[] {
  const body = response.json as
    | { success?: unknown; error?: Record<string, unknown>; request_id?: unknown }
    | undefined;
  const error = body?.error;
  const whole =
    body?.success === false &&
    typeof body.request_id === 'string' &&
    ErrorCode.safeParse(error?.code).success &&
    typeof error?.message === 'string' &&
    (error?.param === undefined || typeof error.param === 'string');
  return whole ? [] : [`${response.status} without the error envelope: ${response.text.slice(0, 120)}`];
}

export function codeOf(response: RawResponse): string {
  const code = (response.json as { error?: { code?: unknown } } | undefined)?.error?.code;
  return typeof code === 'string' ? code : response.text.slice(0, 60) || '(empty body)';
}

/** An answer as state to compare: its status and body without the request id each answer has of its own. */
export function stateOf(response: RawResponse): string {
  const { request_id: _requestId, ...body } = (response.json ?? {}) as Record<string, unknown>;
  return `${response.status} ${JSON.stringify(body)}`;
}
