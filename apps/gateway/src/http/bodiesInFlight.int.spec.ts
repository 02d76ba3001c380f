import type { AddressInfo } from 'node:net';
import type { Logger } from '@afternoon/service-kit';
import { eventually } from '@afternoon/testkit';
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
  const admitted: string[] = [];
  app.use(boundBodiesInFlight({ bytes, waitMs }), (request, _response, next) => {
    admitted.push(request.header('x-name') ?? '');
    next();
  });
  app.use(jsonBody);
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
  return { send, arrived, admitted, reached, finish: (name: string) => held.get(name)?.() };
}

it('reads a body that does not fit only once an earlier one has been answered', async () => {
  const edge = await edgeWithBudget(2 * 16 * 1024, 5_000);
  const first = edge.send('first');
  const second = edge.send('second');
  await eventually(() => expect(edge.reached).toHaveLength(2), { label: 'two bodies read' });
  const third = edge.send('third');
  await eventually(() => expect(edge.arrived).toContain('third'), { label: 'the third request at the edge' });
  // A budget with room admits in the same turn (its acquire settles in microtasks), so one more turn settles it.
  await new Promise((resolve) => setImmediate(resolve));

  expect(edge.admitted).toEqual(['first', 'second']);
  expect(edge.reached).toEqual(['first', 'second']);
  edge.finish('first');
  expect((await first).status).toBe(200);
  await eventually(() => expect(edge.reached).toHaveLength(3), { label: 'the third body read' });
  edge.finish('second');
  edge.finish('third');
  expect([(await second).status, (await third).status]).toEqual([200, 200]);
});

it('refuses a body that waited too long with 503, Retry-After and the error envelope', async () => {
  const edge = await edgeWithBudget(16 * 1024, 200);
  const first = edge.send('first');
  await eventually(() => expect(edge.reached).toHaveLength(1), { label: 'the first body read' });
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
