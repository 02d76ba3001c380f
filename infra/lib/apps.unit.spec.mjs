import { describe, expect, it } from 'vitest';
import { APP_HEAP_OPTION, withAppHeapBound } from './apps.mjs';

describe('withAppHeapBound', () => {
  it("adds the apps' old-space bound to NODE_OPTIONS, after what is there", () => {
    expect(withAppHeapBound({ PORT: '1' })).toEqual({ PORT: '1', NODE_OPTIONS: APP_HEAP_OPTION });
    expect(withAppHeapBound({ NODE_OPTIONS: '--enable-source-maps' }).NODE_OPTIONS).toBe(
      `--enable-source-maps ${APP_HEAP_OPTION}`,
    );
  });

  it('keeps a bound the operator set', () => {
    const env = { NODE_OPTIONS: '--max-old-space-size=1024' };
    expect(withAppHeapBound(env)).toBe(env);
  });
});
