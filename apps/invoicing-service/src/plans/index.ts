import { PlanCommand as PlanCommandSchema, PlanEvent, planEventWireNames } from '@afternoon/contracts/plans';
import type { AggregateDefinition } from '@afternoon/service-kit';
import { type PlanCommand, planDecider } from './businessLogic';
import { type PlanState, toPlan } from './plan';

export { planRoutes } from './api';
export { plansProjection } from './getPlans';

/** One stream per (organization, mode, code): the code is what makes a plan unique, so it names the stream. */
export const planAggregate: AggregateDefinition<PlanCommand, PlanEvent, PlanState> = {
  commandTypes: PlanCommandSchema.options.map((option) => option.shape.type.value),
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
