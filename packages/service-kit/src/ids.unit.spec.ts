import { ResourceId } from '@afternoon/contracts/common';
import { describe, expect, it } from 'vitest';
import { usageIdOf } from './ids';

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
