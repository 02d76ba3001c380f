import type { CommandRecord } from '@afternoon/contracts/messaging';
import { type Registry, startBackgroundLoop } from '@afternoon/service-kit';
import { billingPass } from './billingPass';
import { type BillingPassDeps, newBillingRunMemory } from './billingRunMemory';
import { billingRunProgress } from './billingRunProgress';

export interface BillingRunDeps extends Omit<BillingPassDeps, 'send'> {
  /** Produces a command to invoicing's own commands topic, keyed by `key`. */
  sendCommand(key: string, command: CommandRecord): Promise<void>;
  /** How often the run looks for what time has made due. */
  intervalMs: number;
  /** Where the run's progress (`afternoon_billing_run_*`) is registered; not measured when not given. */
  registry?: Registry;
}

export interface BillingRun {
  /** One pass over the subscriptions with something due now; resolves with what it did once its commands are sent. */
  runOnce(): Promise<BillingPass>;
  /** Runs a pass now rather than at the next interval (a test clock was advanced). */
  wake(): void;
  stop(): Promise<void>;
}

/** What one pass did: the commands it sent, and whether it stopped at its bound with subscriptions not reached. */
export interface BillingPass {
  commandsSent: number;
  subscriptionsDeferred: number;
}

/** The pause before the next pass while a test clock is waiting to be called ready. */
const followUpMs = 100;

/**
 * Time's work on subscriptions: start pending ones at their start date, end them at a scheduled cancellation, and
 * bill their due boundaries once metering has stored the usage they must count; then call ready every advancing
 * test clock whose customers have nothing left due. Invoices it records itself, a batch per transaction (ADR 0032);
 * everything else, and the invoices of a batch that failed, is a command to this service's own topic, keyed by
 * subscription, and safe to send twice: a boundary's invoice id is derived from it, so only one can ever be created. A pass follows the last at once when that one stopped at its bound, soon while a clock waits to be
 * ready or commands are on their way, else after the interval.
 */
export function startBillingRun(deps: BillingRunDeps): BillingRun {
  const memory = newBillingRunMemory();
  const passDeps: BillingPassDeps = { ...deps, send: ({ key, command }) => deps.sendCommand(key, command) };
  const progress = billingRunProgress(deps.registry);
  const loop = startBackgroundLoop({
    name: 'billing run',
    logger: deps.logger,
    intervalMs: deps.intervalMs,
    firstPauseMs: deps.intervalMs,
    turn: async () => progress.passed(await billingPass(passDeps, memory)),
    pauseAfter: (pass) => (pass.subscriptionsDeferred > 0 ? 0 : pass.moreSoon ? followUpMs : deps.intervalMs),
  });
  return {
    runOnce: async () => {
      const { commandsSent, subscriptionsDeferred } = await loop.turnNow();
      return { commandsSent, subscriptionsDeferred };
    },
    wake: loop.wake,
    stop: loop.stop,
  };
}
