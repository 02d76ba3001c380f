import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { HandledPartitions } from './consumer/handledPartitions';
import { unhandledErrorsCaught } from './processGuard';

/** One registry per running service, so several services can share a process (tests) without clashing. */
export function createServiceMetrics(service: string) {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  const handledPartitions = new HandledPartitions();
  return {
    registry,
    handledPartitions,
    processedThroughDelay: new Gauge({
      name: 'afternoon_consumer_processed_through_delay_seconds',
      help: 'How far behind now the group has handled the partition: 0 when its last handled record was the newest, else the age of that record',
      labelNames: ['group', 'topic', 'partition'],
      registers: [registry],
      collect() {
        this.reset();
        for (const { labels, delaySeconds } of handledPartitions.delays(Date.now())) this.set(labels, delaySeconds);
      },
    }),
    consumerLag: new Gauge({
      name: 'afternoon_consumer_lag',
      help: 'Records between the last handled offset and the partition high watermark',
      labelNames: ['group', 'topic', 'partition'],
      registers: [registry],
    }),
    recordsHandled: new Counter({
      name: 'afternoon_consumer_records_total',
      help: 'Consumed records by outcome: handled, duplicate, unknown_type, dead_lettered',
      labelNames: ['group', 'topic', 'type', 'outcome'],
      registers: [registry],
    }),
    consumerRetries: new Counter({
      name: 'afternoon_consumer_retries_total',
      help: 'Retries of records or batches that failed for a reason outside the record (database, broker, a dependency behind)',
      labelNames: ['group', 'topic'],
      registers: [registry],
    }),
    handlerDuration: new Histogram({
      name: 'afternoon_handler_duration_seconds',
      help: 'Time to handle one record, including its transaction',
      labelNames: ['group', 'type'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    unhandledErrors: new Counter({
      name: 'afternoon_unhandled_errors_total',
      help: 'Unhandled rejections and uncaught exceptions the process guard logged and survived (each one is a bug)',
      labelNames: ['kind'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [kind, count] of Object.entries(unhandledErrorsCaught())) this.inc({ kind }, count);
      },
    }),
    outboxPublished: new Counter({
      name: 'afternoon_outbox_published_total',
      help: 'Outbox messages published to Kafka',
      registers: [registry],
    }),
    outboxBacklog: new Gauge({
      name: 'afternoon_outbox_backlog',
      help: 'Messages waiting in the outbox, as the leading relay last counted them (0 on the instances that do not lead)',
      registers: [registry],
    }),
    httpRequestDuration: new Histogram({
      name: 'afternoon_http_request_duration_seconds',
      help: 'Time to answer an HTTP request, by method, route template (unmatched when none served it) and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    outboxSetAside: new Counter({
      name: 'afternoon_outbox_set_aside_total',
      help: 'Outbox messages Kafka refused for their size, moved to outbox_failed',
      labelNames: ['topic'],
      registers: [registry],
    }),
  };
}
export type ServiceMetrics = ReturnType<typeof createServiceMetrics>;
