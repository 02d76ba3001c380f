import { fileURLToPath } from 'node:url';
import type { CommandRecord } from '@afternoon/contracts/messaging';
import { createPool, migrate } from '@afternoon/service-kit';
import { dropSchemas, eventually, testInfra, uniqueName } from '@afternoon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Caller } from '../http/requestContext';
import { claimIdempotencyKey, recordIdempotentResponse, releaseIdempotencyKey } from './idempotencyStore';

const migrationsDir = fileURLToPath(new URL('../../migrations', import.meta.url));
const caller: Caller = { organizationId: 'org_store', mode: 'live', apiKeyId: 'key_store', rateLimitPerMinute: null };
const commandOf = (requestId: string): CommandRecord => ({
  type: 'CreateCustomer',
  data: { name: 'Claimed Co' },
  metadata: {
    command_id: `cmd_${requestId}`,
    correlation_id: requestId,
    request_id: requestId,
    organization_id: caller.organizationId,
    mode: caller.mode,
    issued_at: '2026-01-01T00:00:00.000Z',
  },
});

describe('claiming an Idempotency-Key', () => {
  const schema = uniqueName('gateway_idempotency');
  const pool = createPool({ url: testInfra().databaseUrl, schema, applicationName: 'idempotency-spec', max: 20 });
  const claim = (key: string, claimant: string, claimMs = 60_000, requestHash = 'same') =>
    claimIdempotencyKey(pool, caller, key, { requestHash, command: commandOf(claimant), claimant, claimMs });

  beforeAll(() => migrate(pool, schema, migrationsDir));
  afterAll(async () => {
    await pool.end();
    await dropSchemas(schema);
  });

  it('lets exactly one of twenty concurrent requests claim a key; the others find it in use', async () => {
    const claims = await Promise.all(Array.from({ length: 20 }, (_, index) => claim('race', `req_${index}`)));
    const outcomes = claims.map((result) => result.outcome).sort();
    expect(outcomes.filter((outcome) => outcome === 'claimed')).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome === 'in_use')).toHaveLength(19);
  });

  it('lets a retry take over a lapsed claim, with the first request command', async () => {
    expect(await claim('lapse', 'req_first', 300)).toEqual({ outcome: 'claimed', command: commandOf('req_first') });
    expect(await claim('lapse', 'req_early')).toEqual({ outcome: 'in_use' });

    const takenOver = await eventually(async () => {
      const result = await claim('lapse', 'req_retry');
      expect(result.outcome).toBe('claimed');
      return result;
    });
    expect(takenOver).toEqual({ outcome: 'claimed', command: commandOf('req_first') });
    // The first request, giving up late, does not free the key its successor now holds.
    await releaseIdempotencyKey(pool, caller, 'lapse', 'req_first');
    expect(await claim('lapse', 'req_third')).toEqual({ outcome: 'in_use' });
  });

  it('frees a key its claimant released, and replays a stored answer instead of claiming', async () => {
    await claim('released', 'req_gave_up');
    await releaseIdempotencyKey(pool, caller, 'released', 'req_gave_up');
    expect((await claim('released', 'req_retry')).outcome).toBe('claimed');

    await recordIdempotentResponse(pool, caller, 'released', { status: 201, body: { id: 'cus_1' } });
    expect(await claim('released', 'req_late', 60_000)).toEqual({
      outcome: 'answered',
      response: { status: 201, body: { id: 'cus_1' } },
    });
    expect(await claim('released', 'req_other', 60_000, 'other')).toEqual({ outcome: 'reused_with_other_request' });
  });

  it('refuses a different request on an unanswered key, even once its claim lapsed', async () => {
    await claim('lapsed_other', 'req_first', 1);
    await eventually(async () => {
      const { rows } = await pool.query(
        "SELECT locked_until <= now() AS lapsed FROM idempotency_keys WHERE key = 'lapsed_other'",
      );
      expect(rows[0].lapsed).toBe(true);
    });
    expect(await claim('lapsed_other', 'req_other', 60_000, 'other')).toEqual({ outcome: 'reused_with_other_request' });
  });
});
