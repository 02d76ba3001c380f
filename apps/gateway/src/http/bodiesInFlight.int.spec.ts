import type { AddressInfo } from 'node:net';
import type { Logger } from '@afternoon/service-kit';
import express from 'express';
import { afterEach, expect, it } from 'vitest';
import { boundBodiesInFlight } from './bodiesInFlight';
import { errorHandler } from './errorHandler';
import { jsonBody } from './jsonBody';

const silent = { error: () => {}, warn: () => {}, info: () => {} } as unknown as Logger;
const servers: { close(): void }[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

/** A gateway edge of its own: the budget, the JSON parser, one route that answers once `finish(name)` is called. */
async function edgeWithBudget(bytes: number, waitMs: number) {
  const held = new Map<string, () => void>();
  const arrived: string[] = [];
  const reached: string[] = [];
  const app = express();
  app.use((request, response, next) => {
    response.locals.requestId = 'req_test';
    arrived.push(request.header('x-name') ?? '');
    next();
  });
  app.use(boundBodiesInFlight({ bytes, waitMs }), jsonBody);
  app.post('/hold', (request, response) => {
    const name = (request.body as { name: string }).name;
    reached.push(name);
    held.set(name, () => response.json({ success: true, name }));
  });
  app.use(errorHandler(silent));
  const server = app.listen(0, '127.0.0.1');
  servers.push(server);
  await new Promise((resolve) => server.once('listening', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hold`;
  const send = (name: string) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-name': name },
      // 100 bytes each, whatever the name’s length: one unit of the budget.
      body: JSON.stringify({ name, pad: 'x'.repeat(80 - name.length) }),
    });
  return { send, arrived, reached, finish: (name: string) => held.get(name)?.() };
}

async function until(condition: () => boolean, label: string) {
  const deadline = Date.now() + 5_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

it('reads a body that does not fit only once an earlier one has been answered', async () => {
  const edge = await edgeWithBudget(2 * 16 * 1024, 5_000);
  const first = edge.send('first');
  const second = edge.send('second');
  await until(() => edge.reached.length === 2, 'two bodies read');
  const third = edge.send('third');
  await until(() => edge.arrived.includes('third'), 'the third request at the edge');
  // Given every chance to be read (its bytes are here), it is not: the window is the assertion, not a wait for it.
  await new Promise((resolve) => setTimeout(resolve, 100));

  expect(edge.reached).toEqual(['first', 'second']);
  edge.finish('first');
  expect((await first).status).toBe(200);
  await until(() => edge.reached.length === 3, 'the third body read');
  edge.finish('second');
  edge.finish('third');
  expect([(await second).status, (await third).status]).toEqual([200, 200]);
});

it('refuses a body that waited too long with 503, Retry-After and the error envelope', async () => {
  const edge = await edgeWithBudget(16 * 1024, 200);
  const first = edge.send('first');
  await until(() => edge.reached.length === 1, 'the first body read');
  const refused = await edge.send('second');

  expect(refused.status).toBe(503);
  expect(refused.headers.get('retry-after')).toBe('1');
  expect(await refused.json()).toMatchObject({
    success: false,
    error: { code: 'SERVICE_UNAVAILABLE' },
    request_id: 'req_test',
  });
  expect(edge.reached).toEqual(['first']);
  edge.finish('first');
  expect((await first).status).toBe(200);
});
