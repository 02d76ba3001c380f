import { z } from 'zod';
import { NonBlankString, PageQuery, Pagination, ResourceId } from './common';
import { billingRangeMessage, UtcTimestamp, withinBillingRange } from './usage';

/*
 * Test clocks (test mode only), as Stripe has them: customers created on a clock live at its frozen time, and
 * advancing it makes everything that passage of time causes for them happen (starts, renewals, invoices, ends).
 */

/** `advancing` until everything the last advance made due is done, then `ready`. */
export const TestClockStatus = z.enum(['ready', 'advancing']);
export type TestClockStatus = z.infer<typeof TestClockStatus>;

/** A clock's time: within the range billing works in (2000 to 2100). */
const ClockTime = UtcTimestamp.refine(withinBillingRange, billingRangeMessage);

/**
 * How far one advance may move a clock: two years, enough to bill a yearly plan's renewal and the year after it in
 * one request, while a weekly plan makes at most ~105 invoices per subscription per advance. Longer simulations
 * advance several times.
 */
export const maxTestClockAdvanceDays = 731;

/** `POST /v1/test_clocks`. */
export const CreateTestClockBody = z.strictObject({
  frozen_time: ClockTime,
  name: NonBlankString.trim().max(255).optional(),
});
export type CreateTestClockBody = z.infer<typeof CreateTestClockBody>;

/** `POST /v1/test_clocks/{id}/advance`: only forward, by at most `maxTestClockAdvanceDays`. */
export const AdvanceTestClockBody = z.strictObject({ frozen_time: ClockTime });
export type AdvanceTestClockBody = z.infer<typeof AdvanceTestClockBody>;

export const TestClock = z.object({
  id: ResourceId,
  name: z.string().nullable(),
  frozen_time: z.iso.datetime(),
  status: TestClockStatus,
  created_at: z.iso.datetime(),
});
export type TestClock = z.infer<typeof TestClock>;

/** `GET /v1/test_clocks`: newest first. */
export const ListTestClocksQuery = PageQuery.strict();
export type ListTestClocksQuery = z.infer<typeof ListTestClocksQuery>;

export const TestClockList = z.object({ test_clocks: z.array(TestClock), pagination: Pagination });
export type TestClockList = z.infer<typeof TestClockList>;

/** `GET /test-clocks/{id}` (internal). */
export const TestClockAnswer = z.object({ test_clock: TestClock });
export type TestClockAnswer = z.infer<typeof TestClockAnswer>;

// Commands (on `invoice.commands`: billing time belongs to invoicing), keyed by clock

const clockId = { test_clock_id: ResourceId };

export const CreateTestClock = z.object({
  type: z.literal('CreateTestClock'),
  data: z.object({ ...clockId, name: z.string().nullable(), frozen_time: z.iso.datetime() }),
});
export type CreateTestClock = z.infer<typeof CreateTestClock>;

export const AdvanceTestClock = z.object({
  type: z.literal('AdvanceTestClock'),
  data: z.object({ ...clockId, frozen_time: z.iso.datetime() }),
});
export type AdvanceTestClock = z.infer<typeof AdvanceTestClock>;

/** Sent by the billing run once nothing is left due for the clock's customers at `frozen_time`. */
export const MarkTestClockReady = z.object({
  type: z.literal('MarkTestClockReady'),
  data: z.object({ ...clockId, frozen_time: z.iso.datetime() }),
});
export type MarkTestClockReady = z.infer<typeof MarkTestClockReady>;

export const TestClockCommand = z.discriminatedUnion('type', [CreateTestClock, AdvanceTestClock, MarkTestClockReady]);
export type TestClockCommand = z.infer<typeof TestClockCommand>;

// Events (on `invoice.events`)

export const TestClockCreated = z.object({
  type: z.literal('TestClockCreated'),
  data: z.object({
    ...clockId,
    name: z.string().nullable(),
    frozen_time: z.iso.datetime(),
    created_at: z.iso.datetime(),
  }),
});
export type TestClockCreated = z.infer<typeof TestClockCreated>;

/** `advanced_at` is the real instant of the advance: usage received before it arrived while the clock read `from`. */
export const TestClockAdvanced = z.object({
  type: z.literal('TestClockAdvanced'),
  data: z.object({ ...clockId, from: z.iso.datetime(), frozen_time: z.iso.datetime(), advanced_at: z.iso.datetime() }),
});
export type TestClockAdvanced = z.infer<typeof TestClockAdvanced>;

export const TestClockReady = z.object({
  type: z.literal('TestClockReady'),
  data: z.object({ ...clockId, frozen_time: z.iso.datetime(), ready_at: z.iso.datetime() }),
});
export type TestClockReady = z.infer<typeof TestClockReady>;

export const TestClockEvent = z.discriminatedUnion('type', [TestClockCreated, TestClockAdvanced, TestClockReady]);
export type TestClockEvent = z.infer<typeof TestClockEvent>;

export const testClockEventWireNames = {
  TestClockCreated: 'afternoon.invoicing.v1.test_clock_created',
  TestClockAdvanced: 'afternoon.invoicing.v1.test_clock_advanced',
  TestClockReady: 'afternoon.invoicing.v1.test_clock_ready',
} as const satisfies Record<TestClockEvent['type'], string>;
