import { PlanCommand as PlanCommandSchema, PlanEvent, planEventWireNames } from '@afternoon/contracts/plans';
import {
  type AggregateDefinition,
  type CommandContext,
  commandTypesOf,
  type Slice,
  type Transaction,
} from '@afternoon/service-kit';
import { planRoutes } from './api';
import { type PlanCommand, planDecider } from './businessLogic';
import { plansProjection } from './getPlans';
import { checkMeterReferences, metersConsumer } from './knownMeters';
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
  enrich: refuseUnknownMeters,
};

/** Plans: their prices, versioned by command, and read back by code; the meters they may bill, from meter.events. */
export const plansSlice: Slice = {
  name: 'plans',
  aggregates: [planAggregate],
  projections: [plansProjection],
  consumers: [metersConsumer],
  routes: planRoutes,
};

/** A price may bill only a meter of the plan's organization and mode that is not archived. */
async function refuseUnknownMeters(tx: Transaction, command: PlanCommand, context: CommandContext) {
  const prices = command.type === 'CreatePlan' ? command.data.definition.prices : undefined;
  const revised = command.type === 'RevisePlan' ? command.data.changes.prices : undefined;
  const tenant = { organizationId: command.metadata.organization_id, mode: command.metadata.mode };
  await checkMeterReferences(tx, tenant, prices ?? revised ?? [], context);
  return command;
}
