import { DeadLetterId } from '@afternoon/contracts/deadLetters';
import { Headers } from '@afternoon/contracts/messaging';
import { Topics } from '@afternoon/contracts/topics';
import type { Producer } from '@afternoon/service-kit';
import { recordReplay } from './deadLetterReplays';
import { type DeadLetterFilter, type DeadLetterSource, type FoundDeadLetter, findDeadLetters } from './listDeadLetters';

/** Which dead letters to replay: named ones, or all that match a filter. */
export type ReplaySelection = { ids: string[] } | { all: DeadLetterFilter };

export interface ReplayOutcome {
  replayed: Array<{ id: string; to: string }>;
  skipped: Array<{ id: string; reason: string }>;
}

/** The topics a dead letter may go back to: the platform's own, never a dead-letter topic. */
const sourceTopicNames = new Set<string>(
  Object.values(Topics)
    .map((topic) => topic.name)
    .filter((name) => !name.endsWith('.dlq')),
);

/**
 * Sends dead-lettered records back to the topic they were consumed from, oldest first (so one aggregate's commands
 * keep their order), with their key, value and headers, minus the dead-letter headers, plus `afternoon-replayed-from`.
 * Consumers handle a record once however often it arrives (commands by command id, usage by idempotency key), so a
 * replay is safe to repeat; letters already replayed are skipped unless `force`, so a second `--all` sends nothing.
 * Each replay is noted after its send: a crash in between sends it again at worst, which the consumers absorb.
 */
export async function replayDeadLetters(
  source: DeadLetterSource & { producer: Producer },
  selection: ReplaySelection,
  { force }: { force: boolean },
): Promise<ReplayOutcome> {
  const chosen = await chooseDeadLetters(source, selection);
  const outcome: ReplayOutcome = { replayed: [], skipped: [] };
  for (const { letter, record } of chosen) {
    if (letter.replayed_at && !force) {
      outcome.skipped.push({
        id: letter.id,
        reason: `already replayed at ${letter.replayed_at} (--force sends it again)`,
      });
      continue;
    }
    const target = sourceTopicOf(letter.source, source.topicPrefix);
    if (!target) {
      outcome.skipped.push({ id: letter.id, reason: `its source '${letter.source}' is not a topic of this platform` });
      continue;
    }
    const {
      [Headers.deadLetterReason]: _reason,
      [Headers.deadLetterReasonCode]: _code,
      [Headers.deadLetterSource]: _source,
      ...headers
    } = record.headers;
    await source.producer.send({
      topic: `${source.topicPrefix}${target}`,
      acks: -1,
      messages: [{ key: record.key, value: record.value, headers: { ...headers, [Headers.replayedFrom]: letter.id } }],
    });
    await recordReplay(source.pool, { id: letter.id, deadLetteredAt: letter.dead_lettered_at }, target);
    outcome.replayed.push({ id: letter.id, to: target });
  }
  return outcome;
}

async function chooseDeadLetters(source: DeadLetterSource, selection: ReplaySelection): Promise<FoundDeadLetter[]> {
  if ('all' in selection) return (await findDeadLetters(source, selection.all)).reverse();
  const ids = selection.ids.map((id) => {
    if (!DeadLetterId.safeParse(id).success)
      throw new Error(`not a dead letter id: ${id} (<dlq topic>/<partition>/<offset>)`);
    return id;
  });
  const topics = [...new Set(ids.map((id) => id.split('/')[0] as string))];
  const found = new Map<string, FoundDeadLetter>();
  for (const topic of topics) {
    for (const each of await findDeadLetters(source, { topic })) found.set(each.letter.id, each);
  }
  return ids.map((id) => {
    const each = found.get(id);
    if (!each) throw new Error(`no such dead letter: ${id}`);
    return each;
  });
}

/** The platform's name of the topic in a dead-letter source (`<prefixed topic>/<partition>/<offset>`), if it is one. */
function sourceTopicOf(deadLetterSource: string | null, topicPrefix: string): string | undefined {
  const topic = deadLetterSource?.replace(/\/\d+\/\d+$/, '');
  if (!topic?.startsWith(topicPrefix)) return undefined;
  const name = topic.slice(topicPrefix.length);
  return sourceTopicNames.has(name) ? name : undefined;
}
