/**
 * Reads that make a service scan or aggregate many rows take more than one unit of the caller's window, so the
 * heaviest queries cannot be sent at the rate of plain calls. Everything else, ingest included, takes one unit per
 * request: an ingest batch is bounded by the body limit, and what it costs metering is paid asynchronously.
 */
const weightedReads: readonly { path: RegExp; cost: number }[] = [
  { path: /^\/v1\/meters\/[^/]+\/usage\/?$/, cost: 10 },
  { path: /^\/v1\/customers\/[^/]+\/usage\/?$/, cost: 10 },
  { path: /^\/v1\/events\/summary\/?$/, cost: 10 },
  { path: /^\/v1\/invoices\/[^/]+\/line_items\/[^/]+\/events\/?$/, cost: 5 },
  { path: /^\/v1\/subscriptions\/[^/]+\/upcoming_invoice\/?$/, cost: 5 },
];

/** Units of the rate-limit window that a request takes: 1, or a weighted read's cost (HEAD runs the GET). */
export function requestCost(method: string, path: string): number {
  if (method !== 'GET' && method !== 'HEAD') return 1;
  return weightedReads.find((read) => read.path.test(path))?.cost ?? 1;
}
