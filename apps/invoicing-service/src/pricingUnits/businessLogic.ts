import type { CreatePricingUnit, PricingUnitEvent } from '@afternoon/contracts/pricingUnits';
import { ConflictError, type Decider, NotFoundError, type WithMetadata } from '@afternoon/service-kit';
import { evolve, initialState, type PricingUnitState } from './pricingUnit';

export type PricingUnitCommand = WithMetadata<CreatePricingUnit>;

/** A pricing unit's code is taken for good: one stream per code, and a second create of it is a conflict. */
export function decide(command: PricingUnitCommand, state: PricingUnitState): PricingUnitEvent[] {
  switch (command.type) {
    case 'CreatePricingUnit': {
      if (state.status !== 'absent')
        throw new ConflictError(`a pricing unit with code '${command.data.code}' already exists`, 'code');
      const { pricing_unit_id, code, name, currency_conversion } = command.data;
      return [
        {
          type: 'PricingUnitCreated',
          data: { pricing_unit_id, code, name, currency_conversion, created_at: command.metadata.issued_at },
        },
      ];
    }
    default: {
      const unknown: never = command.type;
      return unknown;
    }
  }
}

export const pricingUnitDecider: Decider<PricingUnitCommand, PricingUnitEvent, PricingUnitState> = {
  initialState,
  evolve,
  decide,
};

export function pricingUnitNotFound(code: string, param = 'code'): NotFoundError {
  return new NotFoundError(`No such pricing unit: '${code}'`, param);
}

/** The stream of a tenant's pricing unit: the code is what makes it unique, so it names the stream. */
export const pricingUnitStream = (organizationId: string, mode: string, code: string) =>
  `pricing_unit-${organizationId}-${mode}-${code}`;
