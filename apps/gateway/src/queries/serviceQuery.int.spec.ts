import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ServiceAnswerError } from '@afternoon/service-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ApiHttpError } from '../http/apiError';
import type { Caller } from '../http/requestContext';
import { queryService } from './serviceQuery';

const caller: Caller = { organizationId: 'org_1', mode: 'live', apiKeyId: 'key_1', rateLimitPerMinute: null };
const Answer = z.object({ plan: z.object({ code: z.string() }) });
const token = 'internal_token_of_this_spec_0123456789';

describe("queryService: a service's answer as the gateway hands it on", () => {
  let server: Server;
  let service: { url: string; token: string };

  beforeAll(async () => {
    server = createServer((request, response) => {
      const path = new URL(request.url ?? '/', 'http://localhost').pathname;
      const [status, body] = answers[path] ?? [200, { plan: { code: 'pro' } }];
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    service = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, token };
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const answers: Record<string, [number, unknown]> = {
    '/plans/missing': [404, { error: { code: 'NOT_FOUND', message: "No such plan: 'missing'", param: 'code' } }],
    '/plans/failing': [500, { error: { code: 'INTERNAL_ERROR', message: 'Something went wrong' } }],
    '/plans/renamed': [200, { plan: { name: 'pro' } }],
  };

  it('answers with the parsed answer', async () => {
    await expect(queryService(service, '/plans/pro', caller, Answer)).resolves.toEqual({ plan: { code: 'pro' } });
  });

  it("hands the service's 4xx error envelope on to the client as it is", async () => {
    const refused = await queryService(service, '/plans/missing', caller, Answer).catch((e) => e);

    expect(refused).toBeInstanceOf(ApiHttpError);
    expect(refused).toMatchObject({
      status: 404,
      error: { code: 'NOT_FOUND', message: "No such plan: 'missing'", param: 'code' },
    });
  });

  it('answers 503 SERVICE_UNAVAILABLE for a failing service and for one out of reach', async () => {
    const unreachable = { url: 'http://127.0.0.1:1', token };
    const failures = await Promise.all([
      queryService(service, '/plans/failing', caller, Answer).catch((e) => e),
      queryService(unreachable, '/plans/pro', caller, Answer).catch((e) => e),
    ]);

    for (const failure of failures)
      expect(failure).toMatchObject({ status: 503, error: { code: 'SERVICE_UNAVAILABLE' } });
  });

  it('leaves an answer off its contract to the error handler, which logs it as a 500', async () => {
    const asking = queryService(service, '/plans/renamed', caller, Answer);

    await expect(asking).rejects.toBeInstanceOf(ServiceAnswerError);
    await expect(asking).rejects.not.toBeInstanceOf(ApiHttpError);
  });

  it('refuses a query parameter the client repeated, naming it', async () => {
    const asking = queryService(service, '/plans', caller, Answer, { limit: ['5', '6'] });

    await expect(asking).rejects.toMatchObject({
      status: 400,
      error: { code: 'VALIDATION_ERROR', param: 'limit', message: 'limit: must be given once' },
    });
  });
});
