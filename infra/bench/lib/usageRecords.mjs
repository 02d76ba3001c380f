// Usage records as a direct producer writes them to `usage.ingest` (packages/contracts/src/usage.ts, UsageRecord),
// and the same events as rows of metering's `usage_events`, for the Kafka ingest scenario and the machine's limits.

/** The values the `model` property takes: the handful a grouped meter splits usage into. */
export const MODELS = ['gpt-4', 'gpt-4o', 'claude-3', 'llama-3', 'mistral'];

/** Every 20th record repeats an earlier one: about 5% duplicates, which metering must store once. */
const DUPLICATE_EVERY = 20;

/** The distinct event number `index`: a pure function of it, so a repeat is byte for byte the same record. */
function usageEvent({ organizationId, customers, keyPrefix, receivedAt }, index) {
  const received = Date.parse(receivedAt);
  return {
    organization_id: organizationId,
    mode: 'live',
    event_name: 'api.request',
    idempotency_key: `${keyPrefix}-${index}`,
    customer_id: customers[index % customers.length],
    // Spread over the hour before receipt, so each batch touches several hourly rollup rows.
    timestamp: new Date(received - (index % 3600) * 1000).toISOString(),
    properties: { tokens: (index % 1000) + 1, model: MODELS[index % MODELS.length] },
    received_at: receivedAt,
  };
}

/** How many distinct events `count` records hold. */
export function distinctCount(count) {
  return count - Math.floor(count / DUPLICATE_EVERY);
}

/**
 * `count` records ({key, value}) in order: distinct events, and every 20th an exact repeat of an earlier one.
 * `options`: organizationId, customers (ids), keyPrefix, receivedAt (ISO).
 */
export function* usageRecords(options, count) {
  let distinct = 0;
  for (let position = 0; position < count; position++) {
    const repeat = position % DUPLICATE_EVERY === DUPLICATE_EVERY - 1;
    const index = repeat ? (position * 7919) % distinct : distinct++;
    const event = usageEvent(options, index);
    yield { key: event.customer_id, value: JSON.stringify(event) };
  }
}

/** The distinct events of `usageRecords(options, count)` as CSV lines in `usage_events`' column order. */
export function* usageEventCsvLines(options, count) {
  const quote = (text) => `"${text.replaceAll('"', '""')}"`;
  for (let index = 0; index < distinctCount(count); index++) {
    const event = usageEvent(options, index);
    yield `${[
      event.organization_id,
      event.mode,
      event.idempotency_key,
      event.event_name,
      event.customer_id,
      event.timestamp,
      quote(JSON.stringify(event.properties)),
      event.received_at,
    ].join(',')}\n`;
  }
}
