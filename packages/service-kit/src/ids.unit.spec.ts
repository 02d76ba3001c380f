import { ResourceId } from '@afternoon/contracts/common';
import { describe, expect, it } from 'vitest';
import { newResourceId, usageIdOf } from './ids';

describe('usageIdOf', () => {
  it('is an Afternoon id, the same for the same tenant, mode and key', () => {
    const id = usageIdOf('org_a', 'live', 'evt_1');
    expect(ResourceId.safeParse(id).success).toBe(true);
    expect(id).toMatch(/^u[a-z0-9]{24}$/);
    expect(usageIdOf('org_a', 'live', 'evt_1')).toBe(id);
  });

  it('differs by organization, mode and key, and does not run the three together', () => {
    const ids = [
      usageIdOf('org_a', 'live', 'evt_1'),
      usageIdOf('org_b', 'live', 'evt_1'),
      usageIdOf('org_a', 'test', 'evt_1'),
      usageIdOf('org_a', 'live', 'evt_2'),
      // Joined without a separator these two would be one text.
      usageIdOf('org_a', 'live', 'xevt_1'),
      usageIdOf('org_a', 'livex', 'evt_1'),
    ];
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('matches the id pattern for many keys, including empty and unusual ones', () => {
    const keys = ['', ' ', 'é', '\u0000', 'a'.repeat(255), ...Array.from({ length: 500 }, (_, index) => `k${index}`)];
    for (const key of keys) expect(usageIdOf('org', 'live', key)).toMatch(/^[a-z][a-z0-9]{24}$/);
  });
});

describe('newResourceId', () => {
  it('is an Afternoon id, a new one each time', () => {
    const ids = Array.from({ length: 100_000 }, () => newResourceId());
    for (const id of ids) expect(ResourceId.safeParse(id).success).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('draws every character evenly: first a letter, then letters and digits', () => {
    const firsts = new Map<string, number>();
    const rest = new Map<string, number>();
    const count = (counts: Map<string, number>, character: string) =>
      counts.set(character, (counts.get(character) ?? 0) + 1);
    for (let index = 0; index < 36_000; index++) {
      const id = newResourceId();
      count(firsts, id[0] as string);
      for (const character of id.slice(1)) count(rest, character);
    }
    // Each letter first ~1,385 times (36,000 ÷ 26; σ ≈ 37); each of the 36 characters after it 24,000 times
    // (36,000 × 24 ÷ 36; σ ≈ 155). Taken as `byte % 36` without redrawing, the first four would come ~27,000 times.
    expect(firsts.size).toBe(26);
    for (const seen of firsts.values()) expect(Math.abs(seen - 36_000 / 26)).toBeLessThan(300);
    expect(rest.size).toBe(36);
    for (const seen of rest.values()) expect(Math.abs(seen - 24_000)).toBeLessThan(1_200);
  });
});
