import { z } from 'zod';
import { ApiError, Mode } from './common';

/** Who asked, on whose behalf, and when: travels with every command, copied onto the events it causes. */
export const CommandMetadata = z.object({
  command_id: z.string().min(1),
  correlation_id: z.string().min(1),
  request_id: z.string().min(1),
  organization_id: z.string().min(1),
  mode: Mode,
  issued_at: z.iso.datetime(),
});
export type CommandMetadata = z.infer<typeof CommandMetadata>;

/** A command record on `<service>.commands`; `type` picks the data schema of the owning context. */
export const CommandRecord = z.object({
  type: z.string().min(1),
  data: z.unknown(),
  metadata: CommandMetadata,
});
export type CommandRecord = z.infer<typeof CommandRecord>;

export const EventMetadata = z.object({
  organization_id: z.string(),
  mode: Mode,
  occurred_at: z.iso.datetime(),
  correlation_id: z.string(),
  causation_id: z.string(),
});
export type EventMetadata = z.infer<typeof EventMetadata>;

/** An event as published on `<service>.events`, keyed by stream id. `type` is the versioned wire name. */
export const EventRecord = z.object({
  event_id: z.string(),
  type: z.string(),
  stream_id: z.string(),
  version: z.number().int().positive(),
  data: z.unknown(),
  metadata: EventMetadata,
});
export type EventRecord = z.infer<typeof EventRecord>;

/** The outcome of a command, sent back to the gateway instance waiting on `correlation_id`. */
export const CommandReply = z.discriminatedUnion('ok', [
  z.object({ correlation_id: z.string(), command_id: z.string(), ok: z.literal(true), result: z.unknown() }),
  z.object({ correlation_id: z.string(), command_id: z.string(), ok: z.literal(false), error: ApiError }),
]);
export type CommandReply = z.infer<typeof CommandReply>;

/** Kafka header names used across services. */
export const Headers = {
  commandId: 'afternoon-command-id',
  correlationId: 'afternoon-correlation-id',
  requestId: 'afternoon-request-id',
  organizationId: 'afternoon-organization-id',
  mode: 'afternoon-mode',
  eventType: 'afternoon-event-type',
  deadLetterReason: 'afternoon-dead-letter-reason',
  /** On a usage record metering refused: the reason's code (a `RejectionReason`), beside its text. */
  deadLetterReasonCode: 'afternoon-dead-letter-reason-code',
  deadLetterSource: 'afternoon-dead-letter-source',
  /** On a record replayed from a dead-letter topic: the dead letter's id (`<dlq topic>/<partition>/<offset>`). */
  replayedFrom: 'afternoon-replayed-from',
} as const;
