import type { TopicSpec } from '@afternoon/contracts/topics';
import type { AggregateDefinition } from '../commands/commandHandler';
import type { Projection } from '../projections/projection';
import type { BackgroundWork, ConsumerDefinition, Slice } from './slice';

/** The topics of a service's command side: where its commands arrive, its events and replies leave. */
export interface CommandTopics {
  commandsTopic: TopicSpec;
  deadLetterTopic: TopicSpec;
  eventsTopic: TopicSpec;
  repliesTopic: TopicSpec;
}

/** A service's slices put together: what its one commands consumer, its projections and its consumers run. */
export interface ComposedSlices {
  // biome-ignore lint/suspicious/noExplicitAny: aggregates of different types share one dispatcher
  aggregates: AggregateDefinition<any, any, any>[];
  projections: Projection[];
  consumers: ConsumerDefinition[];
  background: BackgroundWork[];
  /** Every topic the service produces to or consumes, each once: created at start if missing. */
  topics: TopicSpec[];
}

/**
 * Puts slices together, refusing two slices that claim one command type, one consumer name or one projection
 * name (the second would silently never run).
 */
export function composeSlices(slices: readonly Slice[], commands?: CommandTopics): ComposedSlices {
  const aggregates = slices.flatMap((slice) => slice.aggregates ?? []);
  const projections = slices.flatMap((slice) => slice.projections ?? []);
  const consumers = slices.flatMap((slice) => slice.consumers ?? []);
  assertUnique(
    'slice',
    slices.map((slice) => slice.name),
  );
  assertUnique(
    'command type',
    aggregates.flatMap((aggregate) => aggregate.commandTypes),
  );
  assertUnique(
    'projection',
    projections.map((projection) => projection.name),
  );
  assertUnique(
    'consumer',
    consumers.map((consumer) => consumer.name),
  );
  if (aggregates.length > 0 && !commands) throw new Error('slices with aggregates need the command topics');
  const commandSide = aggregates.length > 0 && commands ? Object.values(commands) : [];
  const consumed = consumers.flatMap((consumer) => [...consumer.topics, consumer.deadLetterTopic]);
  const produced = slices.flatMap((slice) => slice.produces ?? []);
  return {
    aggregates,
    projections,
    consumers,
    background: slices.flatMap((slice) => slice.background ?? []),
    topics: [...new Map([...commandSide, ...consumed, ...produced].map((topic) => [topic.name, topic])).values()],
  };
}

/** What each consumer of these slices reads, by consumer name: what a rebuild replays from the start. */
export function consumedTopics(slices: readonly Slice[]): Record<string, TopicSpec> {
  const consumers = slices.flatMap((slice) => slice.consumers ?? []);
  return Object.fromEntries(
    consumers.flatMap((consumer) => consumer.topics.map((topic) => [consumer.name, topic] as const)),
  );
}

/** The projections of these slices' own events: what a rebuild replays the event store into. */
export function projectionsOf(slices: readonly Slice[]): Projection[] {
  return slices.flatMap((slice) => slice.projections ?? []);
}

function assertUnique(kind: string, names: readonly string[]): void {
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) throw new Error(`more than one slice defines the ${kind} '${name}'`);
    seen.add(name);
  }
}
