import { type DeadLetter, DeadLetterTopic, deadLetterTopicNames } from '@afternoon/contracts/deadLetters';
import { type DeadLetterSource, findDeadLetters } from './listDeadLetters';
import { replayDeadLetters } from './replayDeadLetters';

export const deadLetterUsage = `  dead-letters list [--topic <dlq topic>] [--org <id>] [--json]
                                         list dead-lettered records, newest first, and whether each was replayed
  dead-letters replay --id <id> | --all [--topic <dlq topic>] [--org <id>] [--force]
                                         send them back to their source topic (oldest first), skipping
                                         those already replayed unless --force`;

export interface DeadLetterArgs {
  topic?: string;
  org?: string;
  id?: string;
  all?: boolean;
  force?: boolean;
  json?: boolean;
}

/** `dead-letters list|replay`: what the command prints (a table, or a value printed as JSON). */
export async function runDeadLetterCommand(
  action: string,
  args: DeadLetterArgs,
  connect: () => DeadLetterSource,
): Promise<unknown> {
  if (args.topic !== undefined && !DeadLetterTopic.safeParse(args.topic).success) {
    throw new Error(`--topic must be one of: ${deadLetterTopicNames.join(', ')}`);
  }
  const topic = args.topic;
  const filter = { topic, organizationId: args.org };
  switch (action) {
    case 'list': {
      const letters = (await findDeadLetters(connect(), filter)).map(({ letter }) => letter);
      return args.json ? { dead_letters: letters } : table(letters);
    }
    case 'replay': {
      if (Boolean(args.id) === Boolean(args.all)) throw new Error('replay needs --id <id> or --all');
      const selection = args.id ? { ids: [args.id] } : { all: filter };
      const source = connect();
      const producer = await source.kafka.createProducer();
      return replayDeadLetters({ ...source, producer }, selection, { force: args.force ?? false });
    }
    default:
      throw new Error(`unknown command: dead-letters ${action}`);
  }
}

function table(letters: DeadLetter[]): string {
  if (letters.length === 0) return 'no dead letters';
  const rows = letters.map((letter) => [
    letter.id,
    letter.dead_lettered_at,
    letter.organization_id ?? '-',
    letter.type ?? '-',
    letter.replayed_at ? `replayed ${letter.replays}x` : 'not replayed',
    (letter.reason ?? '-').replace(/\s+/g, ' ').slice(0, 100),
  ]);
  const header = ['ID', 'DEAD-LETTERED AT', 'ORGANIZATION', 'TYPE', 'REPLAYED', 'REASON'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0)));
  return [header, ...rows]
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
