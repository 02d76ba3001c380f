import { z } from 'zod';
import { CustomerBalance, UsageCost } from './credits';

/*
 * The single-event ingest's answer (`POST /v1/events/ingest` with one top-level event). Its own file: it joins usage
 * (the request) and credits (cost and balances), and credits already builds on usage.
 */

const answered = { success: z.literal(true), request_id: z.string() };

/** Stored and rated (`processed`), or a `duplicate` answered with the first event's id and cost. */
export const SyncIngestRated = z.object({
  ...answered,
  status: z.enum(['processed', 'duplicate']),
  usage_id: z.string(),
  cost: z.array(UsageCost),
  customer_balances: z.array(CustomerBalance),
});
export type SyncIngestRated = z.infer<typeof SyncIngestRated>;

/** Refused by metering (the customer deleted, a conflicting duplicate, …): `error.code` is its rejection reason. */
export const SyncIngestRejected = z.object({
  ...answered,
  status: z.literal('rejected'),
  error: z.object({ code: z.string(), message: z.string() }),
});
export type SyncIngestRejected = z.infer<typeof SyncIngestRejected>;

export const SyncIngestResponse = z.discriminatedUnion('status', [SyncIngestRated, SyncIngestRejected]);
export type SyncIngestResponse = z.infer<typeof SyncIngestResponse>;
