import { Counter, type Registry } from '@afternoon/service-kit';

/** Webhook delivery attempts by outcome: succeeded (a 2xx) or failed (anything else, retried on its schedule or not). */
export function deliveryAttemptsCounter(registry: Registry) {
  return new Counter({
    name: 'afternoon_webhook_deliveries_total',
    help: 'Webhook delivery attempts by outcome: succeeded (2xx) or failed (any other answer, no answer, nothing to send)',
    labelNames: ['outcome'],
    registers: [registry],
  });
}
