import { PlanCommand as PlanCommandSchema, PlanEvent, planEventWireNames } from '@afternoon/contracts/plans';
import { type AggregateDefinition, commandTypesOf, type Slice } from '@afternoon/service-kit';
import { planRoutes } from './api';
import { type PlanCommand, planDecider } from './businessLogic';
import { plansProjection } from './getPlans';
import { type PlanState, toPlan } from './plan';

/** One stream per (organization, mode, code): the code is what makes a plan unique, so it names the stream. */
export const planAggregate: AggregateDefinition<PlanCommand, PlanEvent, PlanState> = {
  commandTypes: commandTypesOf(PlanCommandSchema),
  commandSchema: PlanCommandSchema,
  eventSchema: PlanEvent,
  eventWireNames: planEventWireNames,
  streamId: (command) =>
    `plan-${command.metadata.organization_id}-${command.metadata.mode}-${
      command.type === 'CreatePlan' ? command.data.definition.code : command.data.code
    }`,
  decider: planDecider,
  result: (state, command) => {
    if (state.status === 'absent') throw new Error(`plan command ${command.type} left no plan`);
    return toPlan(state);
  },
};

/** Plans: their prices, versioned by command, and read back by code. */
export const plansSlice: Slice = {
  name: 'plans',
  aggregates: [planAggregate],
  projections: [plansProjection],
  routes: planRoutes,
};
