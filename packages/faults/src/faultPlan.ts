import type { SeededRandom } from './seededRandom';

export const appNames = [
  'customer-service',
  'metering-service',
  'invoicing-service',
  'notification-service',
  'gateway',
] as const;
export type AppName = (typeof appNames)[number];

export type Fault =
  | { kind: 'kill'; app: AppName }
  | { kind: 'postgres-restart'; downMs: number }
  | { kind: 'kafka-restart' }
  /** SIGSTOP past the consumer session timeout, then SIGCONT: the group moves on without it, then takes it back. */
  | { kind: 'pause'; app: AppName; pausedMs: number }
  /** Large rows (and a few over the broker's message limit) put in a service's outbox ahead of its replies. */
  | { kind: 'outbox-flood'; app: 'customer-service' };

export function describeFault(fault: Fault): string {
  switch (fault.kind) {
    case 'kill':
      return `kill -9 ${fault.app}`;
    case 'postgres-restart':
      return `Postgres restart (${(fault.downMs / 1000).toFixed(1)} s down)`;
    case 'kafka-restart':
      return 'Kafka broker restart';
    case 'pause':
      return `SIGSTOP ${fault.app} for ${(fault.pausedMs / 1000).toFixed(0)} s`;
    case 'outbox-flood':
      return `outbox of ${fault.app} flooded`;
    default: {
      const unknown: never = fault;
      return unknown;
    }
  }
}

/**
 * Every kind of fault at least once, each app killed `killRounds` times, in an order the seed decides. The consumer
 * session timeout is 10 s, so a pause of 15 s is past it.
 */
export function faultSchedule(random: SeededRandom, killRounds: number): Fault[] {
  const faults: Fault[] = [
    { kind: 'postgres-restart', downMs: random.int(1_000, 4_000) },
    { kind: 'kafka-restart' },
    { kind: 'pause', app: 'metering-service', pausedMs: 15_000 },
    { kind: 'outbox-flood', app: 'customer-service' },
  ];
  for (let round = 0; round < killRounds; round++) for (const app of appNames) faults.push({ kind: 'kill', app });
  for (let index = faults.length - 1; index > 0; index--) {
    const other = random.int(0, index);
    [faults[index], faults[other]] = [faults[other] as Fault, faults[index] as Fault];
  }
  return faults;
}
