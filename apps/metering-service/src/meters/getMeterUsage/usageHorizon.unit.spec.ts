import { describe, expect, it } from 'vitest';
import { sharedWhileRecent } from './usageHorizon';

function countedReads(answers: (() => Promise<string>)[]) {
  let clock = 1_000;
  let reads = 0;
  const ask = sharedWhileRecent(
    () => {
      reads += 1;
      return (answers[reads - 1] ?? (() => Promise.resolve(`read ${reads}`)))();
    },
    50,
    () => clock,
  );
  return { ask, reads: () => reads, advance: (ms: number) => (clock += ms) };
}

describe('sharedWhileRecent', () => {
  it('answers every call within the age of a read with that read, in flight or answered', async () => {
    const { ask, reads, advance } = countedReads([]);
    const first = ask();
    advance(20);
    const inFlight = ask();
    await first;
    advance(30);
    const answered = ask();

    expect(await Promise.all([first, inFlight, answered])).toEqual(['read 1', 'read 1', 'read 1']);
    expect(reads()).toBe(1);
  });

  it('reads anew for a call past the age of the latest read', async () => {
    const { ask, reads, advance } = countedReads([]);
    await ask();
    advance(51);

    expect(await ask()).toBe('read 2');
    advance(50);
    expect(await ask()).toBe('read 2');
    expect(reads()).toBe(2);
  });

  it('never shares a read that failed', async () => {
    const { ask, reads } = countedReads([() => Promise.reject(new Error('broker away'))]);
    const failed = ask();
    await expect(failed).rejects.toThrow('broker away');

    expect(await ask()).toBe('read 2');
    expect(reads()).toBe(2);
  });
});
