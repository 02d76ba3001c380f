import {
  PricingUnitCommand as PricingUnitCommandSchema,
  PricingUnitEvent,
  pricingUnitEventWireNames,
} from '@afternoon/contracts/pricingUnits';
import { type AggregateDefinition, commandTypesOf, type Slice } from '@afternoon/service-kit';
import { pricingUnitRoutes } from './api';
import { type PricingUnitCommand, pricingUnitDecider, pricingUnitStream } from './businessLogic';
import { pricingUnitsProjection } from './getPricingUnits';
import { type PricingUnitState, toPricingUnit } from './pricingUnit';

export const pricingUnitAggregate: AggregateDefinition<PricingUnitCommand, PricingUnitEvent, PricingUnitState> = {
  commandTypes: commandTypesOf(PricingUnitCommandSchema),
  commandSchema: PricingUnitCommandSchema,
  eventSchema: PricingUnitEvent,
  eventWireNames: pricingUnitEventWireNames,
  streamId: (command) => pricingUnitStream(command.metadata.organization_id, command.metadata.mode, command.data.code),
  decider: pricingUnitDecider,
  result: (state, command) => {
    if (state.status === 'absent') throw new Error(`pricing unit command ${command.type} left no pricing unit`);
    return { pricing_unit: toPricingUnit(state) };
  },
};

/** Pricing units: denominations (`gpu_sec`, `token`) credits are granted in, created by command and read back by code. */
export const pricingUnitsSlice: Slice = {
  name: 'pricingUnits',
  aggregates: [pricingUnitAggregate],
  projections: [pricingUnitsProjection],
  routes: pricingUnitRoutes,
};
