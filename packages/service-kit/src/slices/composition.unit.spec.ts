import { Topics } from '@afternoon/contracts/topics';
import { describe, expect, it } from 'vitest';
import type { AggregateDefinition } from '../commands/commandHandler';
import type { Projection } from '../projections/projection';
import { composeSlices, consumedTopics, projectionsOf } from './composition';
import type { ConsumerDefinition, Slice } from './slice';

const commands = {
  commandsTopic: Topics.invoiceCommands,
  deadLetterTopic: Topics.invoiceCommandsDeadLetter,
  eventsTopic: Topics.invoiceEvents,
  repliesTopic: Topics.gatewayReplies,
};
const aggregate = (...commandTypes: string[]) => ({ commandTypes }) as unknown as AggregateDefinition;
const projection = (name: string): Projection => ({ name, tables: [name], handles: [], apply: async () => undefined });
const consumer = (name: string): ConsumerDefinition => ({
  name,
  topics: [Topics.customerEvents],
  deadLetterTopic: Topics.consumerDeadLetter,
  handle: async () => undefined,
});
const stoppable = () => ({ stop: async () => undefined });

const invoices: Slice = {
  name: 'invoices',
  aggregates: [aggregate('CreateInvoice', 'FinalizeInvoice')],
  projections: [projection('invoices')],
  background: [stoppable],
};
const plans: Slice = { name: 'plans', aggregates: [aggregate('CreatePlan')], projections: [projection('plans')] };
const customers: Slice = { name: 'customers', consumers: [consumer('customers')] };

describe('composing slices', () => {
  it('gives the one commands consumer every slice aggregate and projection, and runs every consumer and loop', () => {
    const composed = composeSlices([invoices, plans, customers], commands);
    expect(composed.aggregates.flatMap((each) => each.commandTypes)).toEqual([
      'CreateInvoice',
      'FinalizeInvoice',
      'CreatePlan',
    ]);
    expect(composed.projections.map((each) => each.name)).toEqual(['invoices', 'plans']);
    expect(composed.consumers.map((each) => each.name)).toEqual(['customers']);
    expect(composed.background).toEqual([stoppable]);
  });

  it('creates the command topics and every consumed topic with its dead letters, each once', () => {
    const twice: Slice = { name: 'again', consumers: [{ ...consumer('customer-clocks') }] };
    const { topics } = composeSlices([invoices, customers, twice], commands);
    expect(topics.map((topic) => topic.name).sort()).toEqual(
      [
        'invoice.commands',
        'invoice.commands.dlq',
        'invoice.events',
        'gateway.replies',
        'customer.events',
        'consumers.dlq',
      ].sort(),
    );
  });

  it('creates the topics a slice produces to besides', () => {
    const metered: Slice = { name: 'usage', consumers: [consumer('usage')], produces: [Topics.usageMetered] };
    expect(composeSlices([metered]).topics.map((topic) => topic.name)).toEqual([
      'customer.events',
      'consumers.dlq',
      'usage.metered',
    ]);
  });

  it('needs no command topics where no slice has an aggregate', () => {
    expect(composeSlices([customers]).topics.map((topic) => topic.name)).toEqual(['customer.events', 'consumers.dlq']);
    expect(() => composeSlices([plans])).toThrow('slices with aggregates need the command topics');
  });

  it('refuses two slices claiming one command type, consumer, projection or name', () => {
    const refusal = (slice: Slice) => () => composeSlices([invoices, customers, slice], commands);
    expect(refusal({ name: 'credits', aggregates: [aggregate('FinalizeInvoice')] })).toThrow(
      "more than one slice defines the command type 'FinalizeInvoice'",
    );
    expect(refusal({ name: 'credits', consumers: [consumer('customers')] })).toThrow(
      "more than one slice defines the consumer 'customers'",
    );
    expect(refusal({ name: 'credits', projections: [projection('invoices')] })).toThrow(
      "more than one slice defines the projection 'invoices'",
    );
    expect(refusal({ name: 'invoices' })).toThrow("more than one slice defines the slice 'invoices'");
  });

  it('names what a rebuild replays: the projections of the event store, and each consumer with its topic', () => {
    expect(projectionsOf([invoices, plans, customers]).map((each) => each.name)).toEqual(['invoices', 'plans']);
    expect(consumedTopics([invoices, customers])).toEqual({ customers: Topics.customerEvents });
  });
});
