import type { EnrichedPlanDefinition, Plan, PlanEvent } from '@afternoon/contracts/plans';

interface PlanFields {
  id: string;
  version: number;
  definition: EnrichedPlanDefinition;
  createdAt: string;
  updatedAt: string;
}

export type PlanState =
  | { status: 'absent' }
  | ({ status: 'active' } & PlanFields)
  | ({ status: 'archived' } & PlanFields);

export function initialState(): PlanState {
  return { status: 'absent' };
}

export function evolve(state: PlanState, event: PlanEvent): PlanState {
  switch (event.type) {
    case 'PlanCreated':
      return {
        status: 'active',
        id: event.data.plan_id,
        version: 1,
        definition: event.data.definition,
        createdAt: event.data.created_at,
        updatedAt: event.data.created_at,
      };
    case 'PlanRevised':
      if (state.status === 'absent') return state;
      return {
        ...state,
        version: event.data.version,
        definition: event.data.definition,
        updatedAt: event.data.revised_at,
      };
    case 'PlanArchived':
      if (state.status === 'absent') return state;
      return { ...state, status: 'archived', updatedAt: event.data.archived_at };
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}

/** The public shape of a plan's current version. */
export function toPlan(state: Exclude<PlanState, { status: 'absent' }>): Plan {
  return {
    id: state.id,
    version: state.version,
    ...state.definition,
    status: state.status,
    created_at: state.createdAt,
    updated_at: state.updatedAt,
  };
}
