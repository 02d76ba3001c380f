import { Headers } from '@afternoon/contracts/messaging';
import type { Producer } from 'kafkajs';
import { ledgerOf, type RunLedger, type Tenant, type TenantLedger } from './ledger';
import { callUntilAnswered } from './resilientCaller';
import type { SeededRandom } from './seededRandom';

export interface LoadContext {
  baseUrl: string;
  ledger: RunLedger;
  random: SeededRandom;
  /** False once the run stops making new work; work already started goes on until `giveUpAt`. */
  running(): boolean;
  giveUpAt(): number;
}

interface SentEvent {
  key: string;
  customerId: string;
  units: number;
  timestamp: string;
}

const batchSize = 50;
/** Each worker's own rate limit: at most one batch per this many ms (500 events/s), so the load never floods. */
const batchEveryMs = 100;
const duplicateShare = 0.1;
/** About one record in a hundred is bad: one in every other batch. */
const badBatchShare = 0.5;
/** Well formed, but no customer of any organization has it. */
const unknownCustomerId = 'cfaultsnosuchcustomer0000';

/** A batch of usage: mostly new keys, about a tenth resending earlier keys with the same content. */
function nextBatch(context: LoadContext, tenant: Tenant, sent: SentEvent[], prefix: string, counter: { next: number }) {
  const { random } = context;
  const earlierBatches = sent.slice();
  return Array.from({ length: batchSize }, (): SentEvent => {
    const earlier =
      earlierBatches.length > 0 && random.chance(duplicateShare) ? random.pick(earlierBatches) : undefined;
    if (earlier) return earlier;
    const event = {
      key: `${prefix}-${counter.next++}`,
      customerId: random.pick(tenant.customerIds),
      units: random.int(1, 100),
      timestamp: new Date().toISOString(),
    };
    sent.push(event);
    return event;
  });
}

function confirm(ledger: TenantLedger, events: readonly SentEvent[]): void {
  for (const event of events) {
    ledger.sent.set(event.key, { customerId: event.customerId, units: event.units });
    if (ledger.acceptedKeys.has(event.key)) ledger.duplicatesAccepted += 1;
    else ledger.acceptedKeys.add(event.key);
  }
}

/** Sends batches through `POST /v1/events/ingest` until the run stops, retrying each like a careful client. */
export async function httpIngestWorker(context: LoadContext, tenant: Tenant, worker: number): Promise<void> {
  const ledger = ledgerOf(context.ledger, tenant.organizationId);
  const sent: SentEvent[] = [];
  const counter = { next: 0 };
  while (context.running()) {
    const paced = pace();
    const batch = nextBatch(context, tenant, sent, `http${worker}`, counter);
    for (const event of batch) ledger.sent.set(event.key, { customerId: event.customerId, units: event.units });
    const answer = await callUntilAnswered({
      baseUrl: context.baseUrl,
      apiKey: tenant.liveKey,
      method: 'POST',
      path: '/v1/events/ingest',
      body: {
        events: batch.map((event) => ({
          event_name: 'faults.call',
          idempotency_key: event.key,
          customer_id: event.customerId,
          timestamp: event.timestamp,
          properties: { units: event.units },
        })),
      },
      giveUpAt: context.giveUpAt,
      tally: context.ledger.tally,
    });
    if (answer?.status === 200) confirm(ledger, batch);
    else if (answer) throw new Error(`ingest refused a good batch: ${answer.status} ${JSON.stringify(answer.body)}`);
    await paced;
  }
}

/** Writes usage records straight to the ingest topic, as a producer beside the gateway does; a few are bad on purpose. */
export async function kafkaIngestWorker(
  context: LoadContext,
  tenant: Tenant,
  producer: Producer,
  topic: string,
): Promise<void> {
  const ledger = ledgerOf(context.ledger, tenant.organizationId);
  const sent: SentEvent[] = [];
  const counter = { next: 0 };
  let bad = 0;
  while (context.running()) {
    const paced = pace();
    const batch = nextBatch(context, tenant, sent, 'kafka', counter);
    const badOnes = new Map<string, { record: Record<string, unknown>; reason: string }>();
    if (context.random.chance(badBatchShare)) {
      const key = `kafka-bad-${bad++}`;
      badOnes.set(
        key,
        context.random.chance(0.5)
          ? { record: { customer_id: unknownCustomerId, event_name: 'faults.call' }, reason: 'customer' }
          : { record: { customer_id: tenant.customerIds[0], event_name: 'faults\u0000call' }, reason: '' },
      );
    }
    const now = new Date().toISOString();
    const record = (key: string, fields: Record<string, unknown>) => ({
      key: String(fields.customer_id),
      value: JSON.stringify({
        organization_id: tenant.organizationId,
        mode: 'live',
        idempotency_key: key,
        timestamp: now,
        properties: {},
        received_at: now,
        ...fields,
      }),
      headers: { [Headers.organizationId]: tenant.organizationId, [Headers.mode]: 'live' },
    });
    const messages = [
      ...batch.map((event) =>
        record(event.key, {
          event_name: 'faults.call',
          customer_id: event.customerId,
          timestamp: event.timestamp,
          properties: { units: event.units },
        }),
      ),
      ...[...badOnes].map(([key, bad]) => record(key, bad.record)),
    ];
    for (const event of batch) ledger.sent.set(event.key, { customerId: event.customerId, units: event.units });
    if (await sendUntilAcknowledged(context, producer, topic, messages)) {
      confirm(ledger, batch);
      for (const [key, bad] of badOnes) ledger.badAccepted.set(key, bad.reason);
    }
    await paced;
  }
}

function pace(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, batchEveryMs));
}

async function sendUntilAcknowledged(
  context: LoadContext,
  producer: Producer,
  topic: string,
  messages: Array<{ key: string; value: string; headers: Record<string, string> }>,
): Promise<boolean> {
  while (Date.now() < context.giveUpAt()) {
    try {
      await producer.send({ topic, acks: -1, messages });
      return true;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  return false;
}
