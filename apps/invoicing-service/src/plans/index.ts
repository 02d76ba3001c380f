import { PlanCommand as PlanCommandSchema, PlanEvent, planEventWireNames } from '@afternoon/contracts/plans';
import {
  type AggregateDefinition,
  type CommandContext,
  commandTypesOf,
  type Slice,
  type Transaction,
} from '@afternoon/service-kit';
import { planRoutes } from './api';
import { type PlanCommand, planDecider, planNotFound, type SentPlanCommand } from './businessLogic';
import { getPlan, plansProjection } from './getPlans';
import { checkMeterReferences, metersConsumer } from './knownMeters';
import { type PlanState, toPlan } from './plan';
import { pricePricingUnits } from './pricingUnitRates';

/** One stream per (organization, mode, code): the code is what makes a plan unique, so it names the stream. */
export const planAggregate: AggregateDefinition<SentPlanCommand, PlanEvent, PlanState, PlanCommand> = {
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
  enrich: enrichPlanCommand,
};

/** Plans: their prices, versioned by command, and read back by code; the meters they may bill, from meter.events. */
export const plansSlice: Slice = {
  name: 'plans',
  aggregates: [planAggregate],
  projections: [plansProjection],
  consumers: [metersConsumer],
  routes: planRoutes,
};

/**
 * A price may bill only a meter of the plan's organization and mode that is not archived, and be stated only in a
 * pricing unit of theirs that converts into the plan's currency: the conversion is looked up here and kept with the
 * price. A revision's currency is the plan's (read from its read model, kept in this same transaction).
 */
async function enrichPlanCommand(
  tx: Transaction,
  command: SentPlanCommand,
  context: CommandContext,
): Promise<PlanCommand> {
  const tenant = { organizationId: command.metadata.organization_id, mode: command.metadata.mode };
  switch (command.type) {
    case 'CreatePlan': {
      const { definition } = command.data;
      await checkMeterReferences(tx, tenant, definition.prices, context);
      const prices = await pricePricingUnits(tx, tenant, definition.currency, definition.prices);
      return { ...command, data: { ...command.data, definition: { ...definition, prices } } };
    }
    case 'RevisePlan': {
      const { code, changes } = command.data;
      const { prices: sent, ...unpriced } = changes;
      if (sent === undefined) return { ...command, data: { code, changes: unpriced } };
      await checkMeterReferences(tx, tenant, sent, context);
      const plan = await getPlan(tx, tenant, code);
      if (!plan) throw planNotFound(code);
      const prices = await pricePricingUnits(tx, tenant, plan.currency, sent);
      return { ...command, data: { code, changes: { ...unpriced, prices } } };
    }
    default:
      return command;
  }
}
