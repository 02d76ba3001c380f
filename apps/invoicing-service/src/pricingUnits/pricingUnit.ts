import type { PricingUnit, PricingUnitEvent } from '@afternoon/contracts/pricingUnits';

export type PricingUnitState = { status: 'absent' } | ({ status: 'created' } & PricingUnit);

export function initialState(): PricingUnitState {
  return { status: 'absent' };
}

export function evolve(_state: PricingUnitState, event: PricingUnitEvent): PricingUnitState {
  switch (event.type) {
    case 'PricingUnitCreated': {
      const { pricing_unit_id, ...unit } = event.data;
      return { status: 'created', id: pricing_unit_id, ...unit };
    }
    default: {
      const unknown: never = event.type;
      return unknown;
    }
  }
}

/** The public shape of a created pricing unit. */
export function toPricingUnit({ status: _status, ...unit }: Extract<PricingUnitState, { status: 'created' }>) {
  return unit satisfies PricingUnit;
}
