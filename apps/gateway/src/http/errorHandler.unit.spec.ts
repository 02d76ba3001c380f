import type { Logger } from '@afternoon/service-kit';
import type { Request, Response } from 'express';
import { describe, expect, it, vi } from 'vitest';
import { errorHandler } from './errorHandler';

/** An error as the body parser makes them (`http-errors`): a status, `expose` for the caller's errors, a `type`. */
const bodyParserError = (status: number, type?: string) =>
  Object.assign(new Error(type ?? 'incorrect header check'), {
    status,
    statusCode: status,
    expose: status < 500,
    type,
  });

function answer(error: unknown, headers: Record<string, string> = {}) {
  const logger = { error: vi.fn() };
  const sent: { status?: number; body?: unknown } = {};
  const response = {
    locals: { requestId: 'req_test' },
    status(code: number) {
      sent.status = code;
      return this;
    },
    json(body: unknown) {
      sent.body = body;
    },
  };
  const request = { header: (name: string) => headers[name.toLowerCase()] };
  errorHandler(logger as unknown as Logger)(error, request as Request, response as unknown as Response, () => {});
  return { ...sent, logged: logger.error.mock.calls };
}

describe('the error envelope for what the body parser refuses', () => {
  it.each([
    [400, 'entity.parse.failed', 400, 'INVALID_JSON'],
    [413, 'entity.too.large', 413, 'PAYLOAD_TOO_LARGE'],
    [415, 'encoding.unsupported', 415, 'UNSUPPORTED_MEDIA_TYPE'],
    [415, 'charset.unsupported', 415, 'UNSUPPORTED_MEDIA_TYPE'],
    [400, 'request.aborted', 400, 'INVALID_JSON'],
    [400, 'request.size.invalid', 400, 'INVALID_JSON'],
    [403, 'entity.verify.failed', 400, 'INVALID_JSON'],
    [500, 'stream.encoding.set', 400, 'INVALID_JSON'],
    [500, 'stream.not.readable', 400, 'INVALID_JSON'],
    [413, 'parameters.too.many', 400, 'INVALID_JSON'],
  ])('answers a %i %s with %i %s, unlogged', (status, type, answered, code) => {
    const { status: sent, body, logged } = answer(bodyParserError(status, type));
    expect(sent).toBe(answered);
    expect(body).toEqual({ success: false, error: { code, message: expect.any(String) }, request_id: 'req_test' });
    expect(logged).toEqual([]);
  });

  it('names the Content-Encoding a body could not be decompressed as', () => {
    const { status, body } = answer(bodyParserError(400), { 'content-encoding': 'gzip' });
    expect(status).toBe(400);
    expect(body).toMatchObject({ error: { code: 'INVALID_JSON', message: expect.stringContaining('gzip') } });
  });

  it('answers anything else 500, logged with the request id, even an error that happens to have a type', () => {
    for (const error of [
      new Error('boom'),
      Object.assign(new Error('kafka'), { type: 'UNKNOWN_TOPIC_OR_PARTITION' }),
    ]) {
      const { status, body, logged } = answer(error);
      expect(status).toBe(500);
      expect(body).toMatchObject({ error: { code: 'INTERNAL_ERROR' }, request_id: 'req_test' });
      expect(logged).toEqual([[{ err: error, request_id: 'req_test' }, 'request failed']]);
    }
  });
});
