import { describe, expect, it } from 'vitest';
import { maxBodyDepth, nestsDeeperThan } from './bodyDepth';

const nested = (depth: number) => JSON.parse(`${'{"a":['.repeat(depth / 2)}1${']}'.repeat(depth / 2)}`);

describe('how deep a body nests', () => {
  it('counts objects and arrays, and lets a body of exactly the limit through', () => {
    expect(nestsDeeperThan(nested(maxBodyDepth), maxBodyDepth)).toBe(false);
    expect(nestsDeeperThan(nested(maxBodyDepth + 2), maxBodyDepth)).toBe(true);
    expect(nestsDeeperThan([[[]]], 3)).toBe(false);
    expect(nestsDeeperThan([[[[]]]], 3)).toBe(true);
  });

  it('treats scalars and empty bodies as depth 0 or 1', () => {
    expect(nestsDeeperThan(undefined, 0)).toBe(false);
    expect(nestsDeeperThan('text', 0)).toBe(false);
    expect(nestsDeeperThan({}, 0)).toBe(true);
    expect(nestsDeeperThan({ a: 1, b: 'x' }, 1)).toBe(false);
  });

  it('walks 100,000 levels without overflowing the stack', () => {
    const deep = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    expect(nestsDeeperThan(deep, maxBodyDepth)).toBe(true);
    expect(nestsDeeperThan(deep, 100_000)).toBe(false);
  });
});
