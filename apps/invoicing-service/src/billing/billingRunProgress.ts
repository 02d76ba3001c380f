import { Counter, Gauge, type Registry } from '@afternoon/service-kit';
import type { BillingPassResult } from './billingPass';

/** The billing run's progress on the service's registry: passes, the commands they sent, what they left for later. */
export function billingRunProgress(registry: Registry | undefined) {
  const registers = registry ? [registry] : [];
  const passes = new Counter({
    name: 'afternoon_billing_run_passes_total',
    help: 'Passes of the billing run over the subscriptions with something due',
    registers,
  });
  const commands = new Counter({
    name: 'afternoon_billing_run_commands_total',
    help: 'Commands the billing run sent (start, end, bill a boundary, call a test clock ready)',
    registers,
  });
  const deferred = new Gauge({
    name: 'afternoon_billing_run_subscriptions_deferred',
    help: 'Subscriptions the last pass left for the next because it reached its bound of commands',
    registers,
  });
  return {
    passed<Pass extends BillingPassResult>(pass: Pass): Pass {
      passes.inc();
      commands.inc(pass.commandsSent);
      deferred.set(pass.subscriptionsDeferred);
      return pass;
    },
  };
}
