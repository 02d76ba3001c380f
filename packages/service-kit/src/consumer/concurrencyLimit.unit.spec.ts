import { describe, expect, it } from 'vitest';
import { ConcurrencyLimit } from './concurrencyLimit';

function gate() {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

describe('concurrency limit', () => {
  it('runs at most the limit at once, the others in the order given as places free, also after a failure', async () => {
    const limit = new ConcurrencyLimit(2);
    const started: string[] = [];
    const gates = { a: gate(), b: gate(), c: gate(), d: gate() };
    const run = (name: keyof typeof gates, fail = false) =>
      limit.run(async () => {
        started.push(name);
        await gates[name].opened;
        if (fail) throw new Error(`${name} failed`);
        return name;
      });
    const a = run('a', true);
    const b = run('b');
    const c = run('c');
    const d = run('d');
    await Promise.resolve();
    expect(started).toEqual(['a', 'b']);
    gates.a.open();
    await expect(a).rejects.toThrow('a failed');
    expect(started).toEqual(['a', 'b', 'c']);
    gates.c.open();
    expect(await c).toBe('c');
    expect(started).toEqual(['a', 'b', 'c', 'd']);
    gates.b.open();
    gates.d.open();
    expect(await Promise.all([b, d])).toEqual(['b', 'd']);
  });
});
