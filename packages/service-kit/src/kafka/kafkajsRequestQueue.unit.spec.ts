import { createRequire } from 'node:module';
import { afterEach, describe, expect, it, vi } from 'vitest';

// The request queue of the installed kafkajs, which patches/kafkajs@2.2.4.patch changes (ADR 0048).
const require = createRequire(import.meta.url);
const RequestQueue = require(`${require.resolve('kafkajs').replace(/index\.js$/, '')}src/network/requestQueue`);

interface Queue {
  throttleCheckTimeoutId: unknown;
  push(request: object): void;
  fulfillRequest(response: { correlationId: number; payload: Buffer; size: number }): void;
  maybeThrottle(milliseconds: number): void;
  destroy(): void;
}

const quietLogger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** One connection's queue, at most one request in flight, as the kit's producers send; `sent` lists what went out. */
function connection() {
  const queue: Queue = new RequestQueue({
    maxInFlightRequests: 1,
    requestTimeout: 30_000,
    enforceRequestTimeout: false,
    clientId: 'spec',
    broker: 'localhost:9092',
    logger: quietLogger,
  });
  const sent: number[] = [];
  return { queue, sent, push: (correlationId: number) => queue.push(request(correlationId, sent)) };
}

/** A request whose bytes "go out" by counting itself in `sent`. */
function request(correlationId: number, sent: number[]) {
  const entry = { apiKey: 0, apiName: 'Produce', apiVersion: 3, correlationId, resolve: vi.fn(), reject: vi.fn() };
  return { entry, expectResponse: true, requestTimeout: null, sendRequest: () => sent.push(correlationId) };
}

const answer = (correlationId: number) => ({ correlationId, payload: Buffer.alloc(0), size: 0 });

describe("kafkajs's request queue, as patched", () => {
  afterEach(() => vi.useRealTimers());

  it('arms no timer once nothing is pending (stock 2.2.4 re-armed one every millisecond, forever)', () => {
    const { queue, sent, push } = connection();
    push(1);
    queue.fulfillRequest(answer(1));
    expect(sent).toEqual([1]);
    expect(queue.throttleCheckTimeoutId).toBeNull();
    queue.destroy();
  });

  it('sends a request held behind the one in flight as soon as that one is answered, then lets its timer lapse', () => {
    vi.useFakeTimers();
    const { queue, sent, push } = connection();
    push(1);
    push(2);
    expect(sent).toEqual([1]);
    queue.fulfillRequest(answer(1));
    expect(sent).toEqual([1, 2]);
    queue.fulfillRequest(answer(2));
    // The check armed while request 2 waited fires once and finds nothing left to send.
    vi.advanceTimersByTime(20);
    expect(queue.throttleCheckTimeoutId).toBeNull();
    queue.destroy();
  });

  it('sends a request held by the broker’s throttling once the throttle is over', () => {
    vi.useFakeTimers();
    const { queue, sent, push } = connection();
    queue.maybeThrottle(50);
    push(1);
    expect(sent).toEqual([]);
    vi.advanceTimersByTime(60);
    expect(sent).toEqual([1]);
    queue.destroy();
  });
});
