/** Every Kafka topic of the platform, with the partition count and retention it is created with. */
export interface TopicSpec {
  name: string;
  partitions: number;
  /** Milliseconds; -1 keeps everything (event topics). */
  retentionMs: number;
  /** Stamp records with the broker's append time (monotonic per partition) instead of the producer's clock. */
  appendTime?: true;
}

const day = 24 * 60 * 60 * 1000;
const forever = -1;

export const Topics = {
  customerCommands: { name: 'customer.commands', partitions: 6, retentionMs: 7 * day },
  customerEvents: { name: 'customer.events', partitions: 6, retentionMs: forever, appendTime: true },
  customerCommandsDeadLetter: { name: 'customer.commands.dlq', partitions: 1, retentionMs: forever },
  gatewayReplies: { name: 'gateway.replies', partitions: 3, retentionMs: day },
  /** Raw usage records, from the gateway or any producer; keyed by customer id. Kept: metering replays it. */
  usageIngest: { name: 'usage.ingest', partitions: 6, retentionMs: forever, appendTime: true },
  /** Usage metering stored, with what each meter takes from it (`meteredUsage.ts`); keyed by customer id. */
  usageMetered: { name: 'usage.metered', partitions: 6, retentionMs: forever },
  usageIngestDeadLetter: { name: 'usage.ingest.dlq', partitions: 1, retentionMs: forever },
  meterCommands: { name: 'meter.commands', partitions: 6, retentionMs: 7 * day },
  meterEvents: { name: 'meter.events', partitions: 6, retentionMs: forever },
  meterCommandsDeadLetter: { name: 'meter.commands.dlq', partitions: 1, retentionMs: forever },
  invoiceCommands: { name: 'invoice.commands', partitions: 6, retentionMs: 7 * day },
  invoiceEvents: { name: 'invoice.events', partitions: 6, retentionMs: forever },
  /**
   * What rating decided for each usage event (`UsageRated`), apart from `invoice.events` so that the consumers of
   * invoices, subscriptions and balances are not woken by every usage event (ADR 0018). Keyed by rating stream.
   */
  usageRated: { name: 'usage.rated', partitions: 6, retentionMs: forever },
  invoiceCommandsDeadLetter: { name: 'invoice.commands.dlq', partitions: 1, retentionMs: forever },
  notificationCommands: { name: 'notification.commands', partitions: 6, retentionMs: 7 * day },
  notificationEvents: { name: 'notification.events', partitions: 6, retentionMs: forever },
  notificationCommandsDeadLetter: { name: 'notification.commands.dlq', partitions: 1, retentionMs: forever },
  /** Records another service's consumer could not handle (e.g. a customer event it cannot parse). */
  consumerDeadLetter: { name: 'consumers.dlq', partitions: 1, retentionMs: forever },
} as const satisfies Record<string, TopicSpec>;
