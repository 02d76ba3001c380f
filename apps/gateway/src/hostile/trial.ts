import { eventually } from '@afternoon/testkit';
import { type RawResponse, sendRaw } from '../../test/rawRequest';
import type { HostileCase, RouteUnderFuzz } from './hostileRequests';
import { problemsOf, stateOf } from './verdict';

/** One request that did not get what it must, told so the lead can replay it. */
export interface Failure {
  route: string;
  kind: string;
  request: string;
  observed: string;
  problems: string[];
}

/** What a route's state read back to last, when nothing has happened since that could still move it. */
export interface KnownState {
  state?: string[];
}

/**
 * Sends `hostile` and judges the answer; for a route that changes state, a refusal must leave every read-back path
 * answering exactly as before. `known` carries the settled state from one trial to the next: only an accepted
 * request can set state moving, so only then is it read (and waited for) again.
 */
export async function trial(
  port: number,
  route: RouteUnderFuzz,
  hostile: HostileCase,
  known: KnownState = {},
): Promise<Failure | undefined> {
  const readBack = route.fuzz.readBack?.(route.fixtures) ?? [];
  const before = known.state ?? (await settledState(port, route, readBack));
  const response = await sendRaw(port, hostile.request).catch((error: Error) => error);
  const problems = problemsOf(route.fuzz, hostile, response);
  known.state = undefined;
  if (!(response instanceof Error) && response.status >= 400 && response.status < 500) {
    const after = await readState(port, route, readBack);
    readBack.forEach((path, index) => {
      if (after[index] !== before[index])
        problems.push(
          `state read back at ${path} changed after a refusal: ${firstDifference(before[index], after[index])}`,
        );
    });
    if (problems.length === 0) known.state = after;
  }
  if (problems.length === 0) return undefined;
  return {
    route: `${route.method} ${route.path}`,
    kind: hostile.kind,
    request: describeRequest(hostile),
    observed: response instanceof Error ? response.message : `${response.status} ${response.text.slice(0, 160)}`,
    problems,
  };
}

/**
 * The state once it stops moving: an earlier accepted request may still be working its way through (usage being
 * metered, a test clock advancing, a new subscription activating), and only a refusal's own effect counts.
 */
export async function settledState(port: number, route: RouteUnderFuzz, paths: string[]): Promise<string[]> {
  if (paths.length === 0) return [];
  let last = '';
  let unchangedReads = 0;
  return eventually(
    async () => {
      const state = await readState(port, route, paths);
      unchangedReads = JSON.stringify(state) === last ? unchangedReads + 1 : 0;
      last = JSON.stringify(state);
      // Quiet for longer than one pass of the test cluster's billing run (200 ms), no clock mid-advance, and no
      // delivery or email already due (its sender is about to record an attempt).
      if (unchangedReads < quietReads || state.some((answer) => answer.includes('"advancing"') || attemptDue(answer)))
        throw new Error('state still moving');
      return state;
    },
    { timeout: 10_000, interval: 150, label: `settled state of ${paths.join(', ')}` },
  );
}

const quietReads = 2;

/** Whether a read-back answer shows an attempt due by now (a retry asked for a moment ago). */
function attemptDue(answer: string): boolean {
  const now = Date.now();
  return [...answer.matchAll(/"next_attempt_at":"([^"]+)"/g)].some(([, at]) => Date.parse(at ?? '') <= now);
}

async function readState(port: number, route: RouteUnderFuzz, paths: string[]): Promise<string[]> {
  const headers: Record<string, string> = route.authorization ? { authorization: route.authorization } : {};
  return Promise.all(
    paths.map(async (target) => stateOf((await sendRaw(port, { method: 'GET', target, headers })) as RawResponse)),
  );
}

function firstDifference(before = '', after = ''): string {
  let at = 0;
  while (at < before.length && before[at] === after[at]) at += 1;
  const around = (text: string) => text.slice(Math.max(0, at - 40), at + 40);
  return `was …${around(before)}…, now …${around(after)}…`;
}

function describeRequest({ request }: HostileCase): string {
  const { authorization: _secret, ...headers } = request.headers;
  const body = request.body ? ` body(${request.body.length}B): ${request.body.toString('utf8', 0, 80)}` : '';
  return `${request.method} ${request.target.slice(0, 120)} ${JSON.stringify(headers)}${body}`;
}
