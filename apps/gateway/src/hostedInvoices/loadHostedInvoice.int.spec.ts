import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { loadHostedInvoice } from './loadHostedInvoice';

describe('loadHostedInvoice', () => {
  it('answers 503 SERVICE_UNAVAILABLE when invoicing-service cannot be reached', async () => {
    const deps = {
      pool: {} as pg.Pool,
      invoicing: { url: 'http://127.0.0.1:1', token: 'internal_token_of_this_test' },
    };
    await expect(loadHostedInvoice(deps, 'A'.repeat(32))).rejects.toMatchObject({
      status: 503,
      error: { code: 'SERVICE_UNAVAILABLE' },
    });
  });
});
