import { type Producer, ProduceTimeoutError } from '@afternoon/service-kit';
import { describe, expect, it } from 'vitest';
import { coalescedCommandSends } from './commandSends';

type Request = { topicMessages: { topic: string; messages: { key?: unknown }[] }[] };

/** A producer whose requests the test acknowledges (or fails) one by one. */
function fakeProducer() {
  const requests: { request: Request; ack(): void; fail(error: Error): void }[] = [];
  const producer = {
    sendBatch: (request: Request) =>
      new Promise<void>((resolve, reject) => {
        requests.push({ request, ack: resolve, fail: reject });
      }),
  } as unknown as Producer;
  const keys = (index: number) =>
    requests[index]?.request.topicMessages.map(({ topic, messages }) => [topic, messages.map(({ key }) => key)]);
  return { producer, requests, keys };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('coalescedCommandSends', () => {
  it('sends at once when nothing is in flight, and resolves on the acknowledgement', async () => {
    const { producer, requests, keys } = fakeProducer();
    const send = coalescedCommandSends(producer);
    let done = false;
    const sent = send('a.commands', { key: 'k1', value: 'v' }, 1_000).then(() => {
      done = true;
    });
    await tick();
    expect(keys(0)).toEqual([['a.commands', ['k1']]]);
    expect(done).toBe(false);
    requests[0]?.ack();
    await sent;
    expect(done).toBe(true);
  });

  it('sends everything queued during a request together in the next one, by topic', async () => {
    const { producer, requests, keys } = fakeProducer();
    const send = coalescedCommandSends(producer);
    const first = send('a.commands', { key: 'k1', value: 'v' }, 1_000);
    const queued = [
      send('a.commands', { key: 'k2', value: 'v' }, 1_000),
      send('b.commands', { key: 'k3', value: 'v' }, 1_000),
      send('a.commands', { key: 'k4', value: 'v' }, 1_000),
    ];
    await tick();
    expect(requests).toHaveLength(1);
    requests[0]?.ack();
    await first;
    await tick();
    expect(keys(1)).toEqual([
      ['a.commands', ['k2', 'k4']],
      ['b.commands', ['k3']],
    ]);
    requests[1]?.ack();
    await Promise.all(queued);
  });

  it('fails every send of a refused request, and sends the next ones', async () => {
    const { producer, requests } = fakeProducer();
    const send = coalescedCommandSends(producer);
    const first = send('a.commands', { key: 'k1', value: 'v' }, 1_000);
    await tick();
    const second = send('a.commands', { key: 'k2', value: 'v' }, 1_000);
    requests[0]?.fail(new Error('broker refused'));
    await expect(first).rejects.toThrow('broker refused');
    await tick();
    requests[1]?.ack();
    await expect(second).resolves.toBeUndefined();
  });

  it('never sends a command whose caller stopped waiting before its turn', async () => {
    const { producer, requests, keys } = fakeProducer();
    const send = coalescedCommandSends(producer);
    const first = send('a.commands', { key: 'k1', value: 'v' }, 1_000);
    const late = send('a.commands', { key: 'k2', value: 'v' }, 10);
    await expect(late).rejects.toBeInstanceOf(ProduceTimeoutError);
    const next = send('a.commands', { key: 'k3', value: 'v' }, 1_000);
    requests[0]?.ack();
    await first;
    await tick();
    expect(keys(1)).toEqual([['a.commands', ['k3']]]);
    requests[1]?.ack();
    await next;
  });
});
