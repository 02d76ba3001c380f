import { Histogram, type Registry } from 'prom-client';

/** From a command's send to its reply, by its topic, type and outcome (ok, refused, timeout, not_sent). */
export function commandDuration(registry: Registry) {
  return new Histogram({
    name: 'afternoon_command_duration_seconds',
    help: 'Time from producing a command to receiving its reply, by topic, command type and outcome (ok, refused, timeout, not_sent)',
    labelNames: ['topic', 'type', 'outcome'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
}
