import type { GatewayResponse } from '@afternoon/testkit';
import { expect } from 'vitest';

/** Asserts the gateway refused with `status` and error `code`, in its error envelope with a request id. */
export function refused(response: GatewayResponse, status: number, code: string): void {
  expect(response.status).toBe(status);
  expect(response.body).toMatchObject({
    success: false,
    error: { code, message: expect.any(String) },
    request_id: expect.stringMatching(/^req_/),
  });
}
