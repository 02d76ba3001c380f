import type {
  ArchivePlan,
  CreatePlan,
  EnrichedPlanDefinition,
  EnrichedPlanPrice,
  PlanEvent,
  RevisePlan,
} from '@afternoon/contracts/plans';
import {
  type Command,
  ConflictError,
  type Decider,
  IllegalStateError,
  NotFoundError,
  type WithMetadata,
} from '@afternoon/service-kit';
import { evolve, initialState, type PlanState } from './plan';

/** A plan command as sent to `invoice.commands`: prices name their pricing unit by code. */
export type SentPlanCommand = WithMetadata<CreatePlan> | WithMetadata<RevisePlan> | WithMetadata<ArchivePlan>;

type RevisedChanges = Omit<RevisePlan['data']['changes'], 'prices'> & { prices?: EnrichedPlanPrice[] };

/**
 * A plan command as `decide` receives it: each price in a pricing unit carries the unit's conversion into the plan's
 * currency, as `enrich` found it (ADR 0010: the sent and the decided command are two types).
 */
export type PlanCommand =
  | Command<'CreatePlan', Omit<CreatePlan['data'], 'definition'> & { definition: EnrichedPlanDefinition }>
  | Command<'RevisePlan', Omit<RevisePlan['data'], 'changes'> & { changes: RevisedChanges }>
  | WithMetadata<ArchivePlan>;

/**
 * A plan's versions never change: a revision is the next version, whole, and subscriptions stay on the version
 * they were put on until moved. A code is taken for good, archived or not.
 */
export function decide(command: PlanCommand, state: PlanState): PlanEvent[] {
  const now = command.metadata.issued_at;
  switch (command.type) {
    case 'CreatePlan':
      if (state.status !== 'absent')
        throw new ConflictError(`a plan with code '${command.data.definition.code}' already exists`, 'code');
      return [
        {
          type: 'PlanCreated',
          data: { plan_id: command.data.plan_id, definition: command.data.definition, created_at: now },
        },
      ];
    case 'RevisePlan': {
      const plan = activePlan(state, command.data.code);
      const { name, prices, minimum_amount_cents } = command.data.changes;
      const definition: EnrichedPlanDefinition = {
        ...plan.definition,
        ...(name === undefined ? {} : { name }),
        ...(prices === undefined ? {} : { prices }),
        ...(minimum_amount_cents === undefined ? {} : { minimum_amount_cents }),
      };
      if (JSON.stringify(definition) === JSON.stringify(plan.definition)) return [];
      return [
        { type: 'PlanRevised', data: { plan_id: plan.id, version: plan.version + 1, definition, revised_at: now } },
      ];
    }
    case 'ArchivePlan':
      return [{ type: 'PlanArchived', data: { plan_id: activePlan(state, command.data.code).id, archived_at: now } }];
    default: {
      const unknown: never = command;
      return unknown;
    }
  }
}

export const planDecider: Decider<PlanCommand, PlanEvent, PlanState> = { initialState, evolve, decide };

export function planNotFound(code: string): NotFoundError {
  return new NotFoundError(`No such plan: '${code}'`, 'code');
}

function activePlan(state: PlanState, code: string): Extract<PlanState, { status: 'active' }> {
  if (state.status === 'absent') throw planNotFound(code);
  if (state.status === 'archived') throw new IllegalStateError(`plan '${code}' is archived`);
  return state;
}
