import { CustomerEvent, customerEventWireNames } from '@afternoon/contracts/customers';
import { Topics } from '@afternoon/contracts/topics';
import type { WebhookEvent } from '@afternoon/contracts/webhooks';
import {
  type ConsumedRecord,
  type ConsumerDefinition,
  decodeEventRecord,
  type Tenant,
  type Transaction,
} from '@afternoon/service-kit';
import type { z } from 'zod';
import type { DeliveryOutbox } from '../deliveries/deliveryEvents';
import { recordWebhookEvent } from './recordWebhookEvent';
import { rejectedUsageEvent } from './rejectedUsage';
import { isReplayed } from './replayedOffsets';
import { InvoicingSourceEvent, invoicingSourceWireNames, type SourceEvent } from './sourceEvents';
import { sourceEventsBatch } from './sourceEventsBatch';

/**
 * The catalog's handler of one record of another service's events topic: the batch handler over that record alone
 * (the kit calls it to isolate a batch that failed), after telling the record's type or that it is not one of ours.
 */
function sourceEventHandler<E extends SourceEvent>(
  schema: z.ZodType<E>,
  wireNames: Record<E['type'], string>,
  now: () => Date,
): ConsumerDefinition['handle'] {
  const handleBatch = sourceEventsBatch(schema, wireNames, now);
  return async (tx, record, context) => {
    const decoded = decodeEventRecord(record, schema, wireNames);
    if (!decoded) {
      context.skip();
      return;
    }
    context.setType(decoded.wireType);
    await handleBatch(tx, [record], context);
  };
}

async function recordAll(
  tx: Transaction,
  tenant: Tenant,
  events: readonly WebhookEvent[],
  record: ConsumedRecord,
  { outbox, now }: { outbox: DeliveryOutbox; now: Date },
): Promise<void> {
  if (events.length === 0) return;
  const schedule = !(await isReplayed(tx, record));
  const recordedAt = new Date(Number(record.timestamp)).toISOString();
  const source = `${record.topic}/${record.partition}/${record.offset}`;
  for (const event of events)
    await recordWebhookEvent(tx, tenant, event, outbox, { recordedAt, schedule, source, now });
}

/** The catalog's consumers by name, with the topic each reads (what a rebuild replays). */
export const catalogConsumerTopics = {
  'catalog-customers': Topics.customerEvents,
  'catalog-invoicing': Topics.invoiceEvents,
  'catalog-rejected-usage': Topics.usageIngestDeadLetter,
} as const;

/** The catalog's consumers; `now` is the schedule's clock, when the deliveries they schedule are due. */
export function catalogConsumers(now: () => Date): ConsumerDefinition[] {
  const consumer = (
    name: keyof typeof catalogConsumerTopics,
    handle: ConsumerDefinition['handle'],
    handleBatch?: ConsumerDefinition['handleBatch'],
  ): ConsumerDefinition => ({
    name,
    topics: [catalogConsumerTopics[name]],
    deadLetterTopic: Topics.consumerDeadLetter,
    handle,
    ...(handleBatch ? { handleBatch } : {}),
    // A customer's webhook may start a quarter second later; the other feeds stay immediate.
    ...(name === 'catalog-customers' ? { gathersRecords: true } : {}),
  });
  return [
    consumer(
      'catalog-customers',
      sourceEventHandler(CustomerEvent, customerEventWireNames, now),
      sourceEventsBatch(CustomerEvent, customerEventWireNames, now),
    ),
    consumer(
      'catalog-invoicing',
      sourceEventHandler(InvoicingSourceEvent, invoicingSourceWireNames, now),
      sourceEventsBatch(InvoicingSourceEvent, invoicingSourceWireNames, now),
    ),
    // `events.rejected` from metering's dead-lettered usage records.
    consumer('catalog-rejected-usage', async (tx, record, context) => {
      context.setType('rejected_usage');
      const rejected = rejectedUsageEvent(record);
      if (!rejected) {
        context.skip();
        return;
      }
      await recordAll(tx, rejected.tenant, [rejected.event], record, { outbox: context, now: now() });
    }),
  ];
}
