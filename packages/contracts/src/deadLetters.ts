import { z } from 'zod';
import { Mode, PageQuery, Pagination } from './common';
import { Topics } from './topics';

/** Every dead-letter topic (`*.dlq`): where consumers put the records that can never succeed, with the reason. */
export const deadLetterTopicNames = Object.values(Topics)
  .map((topic) => topic.name)
  .filter((name) => name.endsWith('.dlq'));

export const DeadLetterTopic = z.enum(deadLetterTopicNames);
export type DeadLetterTopic = z.infer<typeof DeadLetterTopic>;

/** `<dead-letter topic>/<partition>/<offset>`: names one dead-lettered record for as long as its topic keeps it. */
export const DeadLetterId = z
  .string()
  .regex(/^[a-z.]+\.dlq\/\d+\/\d+$/, 'must be <dead-letter topic>/<partition>/<offset>');
export type DeadLetterId = z.infer<typeof DeadLetterId>;

/** Characters of a record's value a listing shows; `value_truncated` says when there was more. */
export const deadLetterValueLimit = 2_000;

/**
 * A record a consumer dead-lettered. `source` is where it was consumed (`<topic>/<partition>/<offset>`), where a
 * replay sends it back; organization, mode and type come from its headers or its value when it has them.
 */
export const DeadLetter = z.object({
  id: DeadLetterId,
  topic: DeadLetterTopic,
  source: z.string().nullable(),
  reason: z.string().nullable(),
  dead_lettered_at: z.iso.datetime(),
  organization_id: z.string().nullable(),
  mode: Mode.nullable(),
  /** The command or event type, or a usage record's `event_name`. */
  type: z.string().nullable(),
  key: z.string().nullable(),
  value: z.string().nullable(),
  value_truncated: z.boolean(),
  /** When it was last replayed to its source topic (by `npm run cli -- dead-letters replay`), and how often. */
  replayed_at: z.iso.datetime().nullable(),
  replays: z.number().int().min(0),
});
export type DeadLetter = z.infer<typeof DeadLetter>;

/** `GET /v1/admin/dead_letters`: newest first by the time a record was dead-lettered, cursor-paginated. */
export const ListDeadLettersQuery = PageQuery.extend({
  topic: DeadLetterTopic.optional(),
  organization_id: z.string().max(255).optional(),
}).strict();
export type ListDeadLettersQuery = z.infer<typeof ListDeadLettersQuery>;

export const DeadLetterList = z.object({ dead_letters: z.array(DeadLetter), pagination: Pagination });
export type DeadLetterList = z.infer<typeof DeadLetterList>;
