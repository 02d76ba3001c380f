import { describe, expect, it } from 'vitest';
import { type DrawableGrant, drawCredits, drawOrder, returnCredits } from './creditBurnDown';
import { formatDecimal, parseDecimal, subtractDecimals } from './exactDecimal';

const grant = (grantId: string, fields: Partial<DrawableGrant> = {}): DrawableGrant => ({
  grantId,
  remaining: '1000',
  priority: 0,
  effectiveAt: '2026-01-01T00:00:00.000Z',
  expiresAt: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  ...fields,
});
const idsOf = (grants: readonly DrawableGrant[]) => grants.map((each) => each.grantId);
const at = '2026-01-15T12:00:00.000Z';

describe('drawOrder', () => {
  it('draws the lowest priority first, whatever the expiry', () => {
    const grants = [
      grant('soon_but_later_priority', { priority: 10, expiresAt: '2026-01-16T00:00:00.000Z' }),
      grant('never_expires', { priority: 5 }),
    ];
    expect(idsOf(drawOrder(grants, at))).toEqual(['never_expires', 'soon_but_later_priority']);
  });

  it('then the earliest expiry, never-expiring last', () => {
    const grants = [
      grant('never'),
      grant('march', { expiresAt: '2026-03-01T00:00:00.000Z' }),
      grant('february', { expiresAt: '2026-02-01T00:00:00.000Z' }),
    ];
    expect(idsOf(drawOrder(grants, at))).toEqual(['february', 'march', 'never']);
  });

  it('then the oldest effective, then the oldest created, then the grant id', () => {
    const grants = [
      grant('effective_5th', { effectiveAt: '2026-01-05T00:00:00.000Z' }),
      grant('b_created_3rd', { effectiveAt: '2026-01-02T00:00:00.000Z', createdAt: '2026-01-03T00:00:00.000Z' }),
      grant('z_created_2nd', { effectiveAt: '2026-01-02T00:00:00.000Z', createdAt: '2026-01-02T00:00:00.000Z' }),
      grant('a_created_2nd', { effectiveAt: '2026-01-02T00:00:00.000Z', createdAt: '2026-01-02T00:00:00.000Z' }),
    ];
    expect(idsOf(drawOrder(grants, at))).toEqual(['a_created_2nd', 'z_created_2nd', 'b_created_3rd', 'effective_5th']);
  });

  it('compares instants, not their spelling', () => {
    const grants = [
      grant('later', { expiresAt: '2026-02-01T00:00:00.001Z' }),
      grant('earlier', { expiresAt: '2026-02-01T00:00:00Z' }),
    ];
    expect(idsOf(drawOrder(grants, at))).toEqual(['earlier', 'later']);
  });

  it('leaves out a grant expiring at the instant, not yet effective, or used up', () => {
    const grants = [
      grant('expires_at_the_instant', { expiresAt: at }),
      grant('expires_just_after', { expiresAt: '2026-01-15T12:00:00.001Z' }),
      grant('effective_at_the_instant', { effectiveAt: at }),
      grant('effective_just_after', { effectiveAt: '2026-01-15T12:00:00.001Z' }),
      grant('used_up', { remaining: '0' }),
    ];
    expect(idsOf(drawOrder(grants, at))).toEqual(['expires_just_after', 'effective_at_the_instant']);
  });

  it('refuses an instant it cannot read', () => {
    expect(() => drawOrder([grant('a')], 'yesterday')).toThrow(RangeError);
  });
});

describe('drawCredits', () => {
  const promo = grant('promo', { remaining: '300', expiresAt: '2026-02-01T00:00:00.000Z' });
  const prepaid = grant('prepaid', { remaining: '250' });

  it('covers a cost from the first grant in order', () => {
    expect(drawCredits('200', at, [prepaid, promo])).toEqual({
      draws: [{ grantId: 'promo', amount: '200' }],
      owed: '0',
    });
  });

  it('moves on to the next grant and owes what no grant covers', () => {
    // 700¢: 300¢ from promo (it expires first), 250¢ from prepaid, 700 − 300 − 250 = 150¢ owed
    expect(drawCredits('700', at, [prepaid, promo])).toEqual({
      draws: [
        { grantId: 'promo', amount: '300' },
        { grantId: 'prepaid', amount: '250' },
      ],
      owed: '150',
    });
  });

  it('owes everything when no grant is usable at the instant', () => {
    expect(drawCredits('700', '2026-02-01T00:00:00.000Z', [promo])).toEqual({ draws: [], owed: '700' }); // expired then
    expect(drawCredits('700', at, [])).toEqual({ draws: [], owed: '700' });
  });

  it('draws exact decimals of a pricing unit', () => {
    // 2.5 gpu_sec: 1.75 from the first grant, 2.5 − 1.75 = 0.75 from the second
    const grants = [
      grant('small', { remaining: '1.75', priority: 0 }),
      grant('large', { remaining: '10', priority: 1 }),
    ];
    expect(drawCredits('2.5', at, grants)).toEqual({
      draws: [
        { grantId: 'small', amount: '1.75' },
        { grantId: 'large', amount: '0.75' },
      ],
      owed: '0',
    });
  });

  it('draws nothing for a cost of zero and refuses a negative one', () => {
    expect(drawCredits('0', at, [promo])).toEqual({ draws: [], owed: '0' });
    expect(() => drawCredits('-1', at, [promo])).toThrow(RangeError);
  });
});

/** The grants after `draws`, so a sequence of events sees what earlier ones left. */
function afterDraws(grants: readonly DrawableGrant[], draws: readonly { grantId: string; amount: string }[]) {
  return grants.map((each) => {
    const drawn = draws.find((draw) => draw.grantId === each.grantId);
    if (!drawn) return each;
    return {
      ...each,
      remaining: formatDecimal(subtractDecimals(parseDecimal(each.remaining), parseDecimal(drawn.amount))),
    };
  });
}

describe('a burn-down across two grants with different expiries', () => {
  // The first costs of the graduated example in usageRating.unit.spec.ts (400, 600, 203, 2, 4495¢). Promo: 1000¢,
  // effective 3 Jan, expires 20 Jan 00:00Z. Prepaid: 1000¢, effective 1 Jan (older), never expires.
  const promo = grant('promo', {
    remaining: '1000',
    effectiveAt: '2026-01-03T00:00:00.000Z',
    expiresAt: '2026-01-20T00:00:00.000Z',
  });
  const prepaid = grant('prepaid', { remaining: '1000', effectiveAt: '2026-01-01T00:00:00.000Z' });

  it('draws the expiring grant first, stops drawing it at its expiry, then owes', () => {
    let grants = [prepaid, promo];
    const steps = [
      { cost: '400', at: '2026-01-05T00:00:00.000Z' },
      { cost: '600', at: '2026-01-20T00:00:00.000Z' },
      { cost: '203', at: '2026-01-21T00:00:00.000Z' },
      { cost: '2', at: '2026-01-22T00:00:00.000Z' },
      { cost: '4495', at: '2026-01-25T00:00:00.000Z' },
    ];
    const results = steps.map((step) => {
      const result = drawCredits(step.cost, step.at, grants);
      grants = afterDraws(grants, result.draws);
      return result;
    });
    expect(results).toEqual([
      // 5 Jan: promo expires first, so it is drawn although prepaid is older; promo 1000 − 400 = 600¢ left
      { draws: [{ grantId: 'promo', amount: '400' }], owed: '0' },
      // 20 Jan 00:00Z, promo's expires_at: promo is not drawable at that instant; prepaid 1000 − 600 = 400¢ left
      { draws: [{ grantId: 'prepaid', amount: '600' }], owed: '0' },
      // prepaid 400 − 203 = 197¢ left
      { draws: [{ grantId: 'prepaid', amount: '203' }], owed: '0' },
      // prepaid 197 − 2 = 195¢ left
      { draws: [{ grantId: 'prepaid', amount: '2' }], owed: '0' },
      // 4495¢: the last 195¢ of prepaid, 4495 − 195 = 4300¢ owed
      { draws: [{ grantId: 'prepaid', amount: '195' }], owed: '4300' },
    ]);
    // Promo's 600¢ were never drawn: they expire. 400 + 1000 drawn + 4300 owed = 5700¢, the costs' sum.
    expect(grants.map((each) => each.remaining)).toEqual(['0', '600']);
  });
});

describe('returnCredits', () => {
  const everyGrant = () => true;
  const draws = [
    { grantId: 'older', amount: '500' },
    { grantId: 'newer', amount: '200' },
  ];

  it('reduces what is owed first', () => {
    // refund 494¢, 300¢ owed: owed −300, the other 494 − 300 = 194¢ back to the newest draw
    expect(returnCredits('494', '300', draws, everyGrant)).toEqual({
      owedReduction: '300',
      returns: [{ grantId: 'newer', amount: '194' }],
      unreturned: '0',
    });
    expect(returnCredits('100', '300', draws, everyGrant)).toEqual({
      owedReduction: '100',
      returns: [],
      unreturned: '0',
    });
  });

  it('returns newest draw first, never more than drawn, and leaves the rest unreturned', () => {
    // refund 600¢, nothing owed: newer gets its 200¢ back, older 600 − 200 = 400¢
    expect(returnCredits('600', '0', draws, everyGrant)).toEqual({
      owedReduction: '0',
      returns: [
        { grantId: 'newer', amount: '200' },
        { grantId: 'older', amount: '400' },
      ],
      unreturned: '0',
    });
    // refund 1000¢, 100¢ owed: owed −100, newer 200, older 500, 1000 − 100 − 200 − 500 = 200¢ unreturned
    expect(returnCredits('1000', '100', draws, everyGrant)).toEqual({
      owedReduction: '100',
      returns: [
        { grantId: 'newer', amount: '200' },
        { grantId: 'older', amount: '500' },
      ],
      unreturned: '200',
    });
  });

  it('skips a grant that can no longer take a return', () => {
    // newer was voided since: older gets 500¢, 600 − 500 = 100¢ unreturned
    expect(returnCredits('600', '0', draws, (grantId) => grantId !== 'newer')).toEqual({
      owedReduction: '0',
      returns: [{ grantId: 'older', amount: '500' }],
      unreturned: '100',
    });
  });

  it('gives one return to a grant drawn more than once', () => {
    const repeated = [
      { grantId: 'a', amount: '100' },
      { grantId: 'b', amount: '50' },
      { grantId: 'a', amount: '30' },
    ];
    // refund 150¢: newest first a 30, b 50, a 150 − 30 − 50 = 70 → a 30 + 70 = 100¢, b 50¢
    expect(returnCredits('150', '0', repeated, everyGrant)).toEqual({
      owedReduction: '0',
      returns: [
        { grantId: 'a', amount: '100' },
        { grantId: 'b', amount: '50' },
      ],
      unreturned: '0',
    });
  });

  it('does not reduce an owed amount already below zero, and returns exact decimals', () => {
    // −20 owed (an earlier unreturned refund): nothing to reduce; 0.75 gpu_sec back to the one draw of 1.5
    expect(returnCredits('0.75', '-20', [{ grantId: 'a', amount: '1.5' }], everyGrant)).toEqual({
      owedReduction: '0',
      returns: [{ grantId: 'a', amount: '0.75' }],
      unreturned: '0',
    });
  });

  it('returns nothing for a refund of zero and refuses a negative one', () => {
    expect(returnCredits('0', '300', draws, everyGrant)).toEqual({ owedReduction: '0', returns: [], unreturned: '0' });
    expect(() => returnCredits('-5', '0', draws, everyGrant)).toThrow(RangeError);
  });
});

describe('a volume price whose cost falls', () => {
  // The volume costs of usageRating.unit.spec.ts (500, 495, 5, 308, 7192, then −494¢) against one grant of 8200¢.
  it('draws, owes, then reduces what is owed and returns the rest to the grant', () => {
    let grants = [grant('prepaid', { remaining: '8200' })];
    const drawn = ['500', '495', '5', '308'].map((cost) => {
      const result = drawCredits(cost, at, grants);
      grants = afterDraws(grants, result.draws);
      return result.draws;
    });
    // 500 + 495 + 5 + 308 = 1308¢ drawn, 8200 − 1308 = 6892¢ left
    expect(grants[0]?.remaining).toBe('6892');
    // 7192¢: the last 6892¢, 7192 − 6892 = 300¢ owed
    const big = drawCredits('7192', at, grants);
    expect(big).toEqual({ draws: [{ grantId: 'prepaid', amount: '6892' }], owed: '300' });
    // −494¢: the 300¢ owed first, then 494 − 300 = 194¢ back to prepaid. Net: 8200 − 194 = 8006¢ drawn, 0¢ owed,
    // the 8006¢ volume charge of 1,001 seats.
    const priorDraws = [...drawn.flat(), ...big.draws];
    expect(returnCredits('494', big.owed, priorDraws, () => true)).toEqual({
      owedReduction: '300',
      returns: [{ grantId: 'prepaid', amount: '194' }],
      unreturned: '0',
    });
  });
});
