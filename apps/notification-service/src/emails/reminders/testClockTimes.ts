import { TestClockEvent, testClockEventWireNames } from '@afternoon/contracts/testClocks';
import { Topics } from '@afternoon/contracts/topics';
import { type ConsumerDefinition, decodeEventRecord } from '@afternoon/service-kit';

/**
 * `email_test_clocks`: each test clock's time, from invoicing's test clock events, so reminders of its customers are
 * due when the clock is advanced past them. A clock only moves forward, so a replayed record changes nothing.
 */
export const testClockTimesConsumer: ConsumerDefinition = {
  name: 'email-test-clocks',
  topics: [Topics.invoiceEvents],
  deadLetterTopic: Topics.consumerDeadLetter,
  async handle(tx, record, context) {
    const decoded = decodeEventRecord(record, TestClockEvent, testClockEventWireNames);
    if (!decoded) return context.skip();
    context.setType(decoded.wireType);
    const { metadata, event } = decoded;
    await tx.query(
      `INSERT INTO email_test_clocks (organization_id, mode, id, frozen_time) VALUES ($1, $2, $3, $4)
       ON CONFLICT (organization_id, mode, id) DO UPDATE
         SET frozen_time = GREATEST(email_test_clocks.frozen_time, EXCLUDED.frozen_time)`,
      [metadata.organization_id, metadata.mode, event.data.test_clock_id, event.data.frozen_time],
    );
  },
};
