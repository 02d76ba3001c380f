import { describe, expect, it } from 'vitest';
import { runFaults } from './faultRun';
import { formatReport } from './report';

// The short run of `npm run faults`: every kind of fault once under a mixed load on a cluster of its own (its own
// Postgres and Kafka broker, which it restarts), then nothing lost, nothing doubled, numbering gapless.
describe('the fault-injection run (short)', () => {
  it('loses and doubles nothing while every kind of fault is injected', { timeout: 900_000 }, async () => {
    const seed = 20261204;
    const result = await runFaults({ seed, loadMs: 60_000, killRounds: 1, log: () => undefined });
    const report = formatReport(result, seed);
    expect(
      result.findings.filter((finding) => !finding.holds),
      report,
    ).toEqual([]);
  });
});
