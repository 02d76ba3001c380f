import type { FaultRunResult } from './faultRun';

/** The run as a person reads it: the checks, then each fault with its recovery time, then the restarts. */
export function formatReport(result: FaultRunResult, seed: number): string {
  const width = Math.max(...result.findings.map((finding) => finding.check.length));
  const lines = [
    `Fault-injection run, seed ${seed}: ${result.passed ? 'PASSED' : 'FAILED'}`,
    '',
    `${'check'.padEnd(width)}  holds  found`,
    ...result.findings.map(
      (finding) => `${finding.check.padEnd(width)}  ${finding.holds ? 'yes  ' : 'NO   '}  ${finding.found}`,
    ),
    '',
    'fault                                       at (s)   recovered in (s)',
    ...result.faults.map(
      (fault) =>
        `${fault.fault.padEnd(42)}  ${(fault.atMs / 1000).toFixed(1).padStart(6)}   ${fault.recoveryMs === undefined ? '     never' : (fault.recoveryMs / 1000).toFixed(1).padStart(8)}`,
    ),
    '',
    `restarts by the supervisor: ${[...result.restarts].map(([app, count]) => `${app} ${count}`).join(', ') || 'none'}`,
  ];
  return lines.join('\n');
}
