import type { CommandMetadata, EventMetadata } from '@afternoon/contracts/messaging';

export interface Command<Type extends string = string, Data = unknown> {
  type: Type;
  data: Data;
  metadata: CommandMetadata;
}

/** A contract's command (`{type, data}`, as the gateway sends it) with the metadata every command carries. */
export type WithMetadata<C extends { type: string; data: unknown }> = C extends unknown
  ? Command<C['type'], C['data']>
  : never;

/** A contract's command as `decide` receives it: with its metadata, and what the service's `enrich` found in its data. */
export type Enriched<C extends { type: string; data: unknown }, Found extends object> = Command<
  C['type'],
  C['data'] & Found
>;

export interface DomainEvent<Type extends string = string, Data = unknown> {
  type: Type;
  data: Data;
}

/** An aggregate's pure core: time and ids arrive on the command's metadata, never from the clock. */
export interface Decider<C extends Command, E extends DomainEvent, S> {
  initialState(): S;
  evolve(state: S, event: E): S;
  decide(command: C, state: S): E[];
}

export function foldEvents<E extends DomainEvent, S>(
  decider: Pick<Decider<never, E, S>, 'initialState' | 'evolve'>,
  events: readonly E[],
): S {
  return events.reduce(decider.evolve, decider.initialState());
}

/** The metadata of the events a command decides: its tenant, its time and its correlation, caused by the command. */
export function eventMetadataOf(command: CommandMetadata): EventMetadata {
  return {
    organization_id: command.organization_id,
    mode: command.mode,
    occurred_at: command.issued_at,
    correlation_id: command.correlation_id,
    causation_id: command.command_id,
  };
}
