import { describe, expect, it } from 'vitest';
import { netDraws } from './creditBook';

describe("a rating key's draws net of what was given back", () => {
  it('takes each return from the same grant’s newest draws first', () => {
    const movements = [
      { grantId: 'a', amount: '100' },
      { grantId: 'b', amount: '40' },
      { grantId: 'a', amount: '30' },
      // 45 back to a: 30 from its newest draw, 15 from the one before.
      { grantId: 'a', amount: '-45' },
    ];
    expect(netDraws(movements)).toEqual([
      { grantId: 'a', amount: '85' },
      { grantId: 'b', amount: '40' },
    ]);
  });

  it('leaves out draws given back whole', () => {
    expect(
      netDraws([
        { grantId: 'a', amount: '2.5' },
        { grantId: 'a', amount: '-2.5' },
      ]),
    ).toEqual([]);
  });
});
