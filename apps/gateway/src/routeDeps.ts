import type { InternalApi, KafkaConnection, Producer } from '@afternoon/service-kit';
import type pg from 'pg';
import type { CommandBus } from './commands/commandBus';
import type { IdempotencyDeps } from './idempotency/answerOnce';
import type { UsageCustomers } from './usage/usageCustomers';

/** What every slice's public routes may use: the gateway's own schema, Kafka, and the services' read APIs. */
export interface RouteDeps extends IdempotencyDeps {
  pool: pg.Pool;
  bus: CommandBus;
  kafka: KafkaConnection;
  producer: Producer;
  /** The bound on a send's acknowledgement (see `sendWithin`). */
  produceTimeoutMs: number;
  /** How long a request waits for the services to act on what it sent (a command's reply, an event's rating). */
  commandTimeoutMs: number;
  services: { customers: InternalApi; metering: InternalApi; invoicing: InternalApi; notifications: InternalApi };
  publicUrl: string;
  /** Seals payment providers' secrets (PAYMENT_SECRETS_KEY); null where the deployment has none. */
  paymentSecretsKey: Buffer | null;
  /** The gateway's projection of the customers usage may name and their test clocks (ingest checks a batch by it). */
  usageCustomers: UsageCustomers;
}
