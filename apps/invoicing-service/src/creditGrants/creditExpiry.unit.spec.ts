import { describe, expect, it } from 'vitest';
import { type CreditExpiryDeps, type ExpiryCommand, expiryPass, type SentExpiries } from './creditExpiry';
import type { DueGrant } from './grantsToExpire';

const live = { organizationId: 'org_1', mode: 'live' as const };
const test = { organizationId: 'org_1', mode: 'test' as const };
const clockTime = new Date('2027-03-01T00:00:00.000Z');

/** An expiry pass over grants the test says are due, on a clock the test moves, recording what was sent. */
function expiryWorld(maxCommandsPerPass = 10) {
  let realNow = new Date('2026-06-01T12:00:00.000Z');
  let due: DueGrant[] = [];
  const sent: { key: string; command: ExpiryCommand }[] = [];
  const deps: CreditExpiryDeps = {
    dueGrants: async (_now, limit) => due.slice(0, limit),
    send: async (key, command) => {
      sent.push({ key, command });
    },
    now: () => realNow,
    maxCommandsPerPass,
    resendAfterMs: 5_000,
  };
  const memory: SentExpiries = new Map();
  return {
    sent,
    pass: () => expiryPass(deps, memory),
    due: (grants: DueGrant[]) => {
      due = grants;
    },
    elapse: (ms: number) => {
      realNow = new Date(realNow.getTime() + ms);
    },
    realNow: () => realNow,
  };
}

describe('credit expiry pass', () => {
  it("sends one expiry per due grant, keyed by grant, at its customer's now (a test clock's, on one)", async () => {
    const world = expiryWorld();
    world.due([
      { grantId: 'grant_a', tenant: live, now: world.realNow() },
      { grantId: 'grant_b', tenant: test, now: clockTime },
    ]);
    expect(await world.pass()).toEqual({ commandsSent: 2, grantsDeferred: 0 });
    expect(world.sent.map(({ key, command }) => [key, command.type, command.data, command.metadata.issued_at])).toEqual(
      [
        ['grant_a', 'ExpireCreditGrant', { grant_id: 'grant_a' }, '2026-06-01T12:00:00.000Z'],
        ['grant_b', 'ExpireCreditGrant', { grant_id: 'grant_b' }, clockTime.toISOString()],
      ],
    );
    expect(world.sent[1]?.command.metadata).toMatchObject({ organization_id: 'org_1', mode: 'test' });
  });

  it('does not send again while a sent expiry is on its way, sends again once it waited too long', async () => {
    const world = expiryWorld();
    world.due([{ grantId: 'grant_a', tenant: live, now: world.realNow() }]);
    await world.pass();
    world.elapse(4_999);
    expect(await world.pass()).toEqual({ commandsSent: 0, grantsDeferred: 0 });
    world.elapse(1);
    expect(await world.pass()).toEqual({ commandsSent: 1, grantsDeferred: 0 });
    expect(world.sent.map(({ key }) => key)).toEqual(['grant_a', 'grant_a']);
  });

  it('forgets a grant once it is no longer due, so a later due grant of that id is sent at once', async () => {
    const world = expiryWorld();
    world.due([{ grantId: 'grant_a', tenant: live, now: world.realNow() }]);
    await world.pass();
    world.due([]);
    await world.pass();
    world.due([{ grantId: 'grant_a', tenant: live, now: world.realNow() }]);
    expect(await world.pass()).toEqual({ commandsSent: 1, grantsDeferred: 0 });
  });

  it('stops at its bound and says how many due grants it left for the next pass', async () => {
    const world = expiryWorld(2);
    world.due(['a', 'b', 'c'].map((id) => ({ grantId: id, tenant: live, now: world.realNow() })));
    expect(await world.pass()).toEqual({ commandsSent: 2, grantsDeferred: 1 });
    expect(await world.pass()).toEqual({ commandsSent: 1, grantsDeferred: 0 });
    expect(world.sent.map(({ key }) => key)).toEqual(['a', 'b', 'c']);
  });
});
