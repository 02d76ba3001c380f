import {
  CreditGrantCommand as CreditGrantCommandSchema,
  CreditGrantEvent,
  creditGrantEventWireNames,
} from '@afternoon/contracts/credits';
import { Topics } from '@afternoon/contracts/topics';
import { type AggregateDefinition, commandTypesOf, type ServiceContext, type Slice } from '@afternoon/service-kit';
import { onBillingRunWakeups } from '../billing/billingRunWakeups';
import { creditGrantRoutes } from './api';
import { type CreditGrantCommand, creditGrantDecider, type SentCreditGrantCommand } from './businessLogic';
import { startCreditExpiry } from './creditExpiry';
import { type CreditGrantState, consumedPerStream, creditGrantStream, toCreditGrant } from './creditGrant';
import { enrichCreditGrantCommand } from './enrichCreditGrantCommand';
import { creditGrantsProjection } from './getCreditGrants';
import { grantsToExpire } from './grantsToExpire';

export const creditGrantAggregate: AggregateDefinition<
  SentCreditGrantCommand,
  CreditGrantEvent,
  CreditGrantState,
  CreditGrantCommand
> = {
  commandTypes: commandTypesOf(CreditGrantCommandSchema),
  commandSchema: CreditGrantCommandSchema,
  eventSchema: CreditGrantEvent,
  eventWireNames: creditGrantEventWireNames,
  streamId: (command) => creditGrantStream(command.data.grant_id),
  decider: creditGrantDecider,
  result: (state, command) => {
    if (state.status === 'absent') throw new Error(`credit grant command ${command.type} left no grant`);
    return { credit_grant: toCreditGrant(state, consumedPerStream(state)) };
  },
  enrich: enrichCreditGrantCommand,
};

/** How the expiry loop runs: at the billing run's interval and bound, where the billing run does. */
export interface CreditExpirySettings {
  intervalMs: number;
  maxCommandsPerPass: number;
}

/**
 * Credit grants: granted on a subscription in a currency or a pricing unit, voided by command, read back; and (with
 * `expiry`) the loop that expires each at `expires_at` on its customer's clock.
 */
export function creditGrantsSlice(expiry: CreditExpirySettings | null): Slice {
  return {
    name: 'creditGrants',
    aggregates: [creditGrantAggregate],
    projections: [creditGrantsProjection],
    routes: creditGrantRoutes,
    background: expiry ? [(context) => startExpiry(context, expiry)] : [],
  };
}

/** The expiry loop, sending through a producer of its own, woken with the billing run (a test clock advanced). */
async function startExpiry(context: ServiceContext, settings: CreditExpirySettings) {
  const producer = await context.kafka.createProducer();
  const commandsTopic = context.kafka.topic(Topics.invoiceCommands);
  const loop = startCreditExpiry({
    ...settings,
    resendAfterMs: Math.max(10 * settings.intervalMs, 5_000),
    logger: context.logger,
    now: () => new Date(),
    dueGrants: (realNow, limit) => grantsToExpire(context.pools.background, realNow, limit),
    async send(key, command) {
      await producer.send({ topic: commandsTopic, acks: -1, messages: [{ key, value: JSON.stringify(command) }] });
    },
  });
  const stopWakeups = await onBillingRunWakeups({
    pool: context.pools.background,
    schema: context.schema,
    wake: loop.wake,
    logger: context.logger,
  });
  return {
    async stop() {
      await stopWakeups();
      await loop.stop();
    },
  };
}
