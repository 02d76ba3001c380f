import { Topics } from '@afternoon/contracts/topics';
import { type KafkaConnection, resetConsumedState } from '@afternoon/service-kit';
import type pg from 'pg';
import { testClockTimesConsumer } from './testClockTimes';

/**
 * Makes a stopped notification service fold its test clocks' times again: `email_test_clocks` is emptied and its
 * consumer replays `invoice.events` from the first record when the service next starts. A reminder waiting for its
 * clock waits until the replay reaches the clock's time again (a clock only moves forward, so it reads the same).
 */
export function rebuildTestClockTimes(options: { pool: pg.Pool; kafka: KafkaConnection; topicPrefix: string }) {
  return resetConsumedState({
    ...options,
    serviceName: 'notification-service',
    consumers: { [testClockTimesConsumer.name]: Topics.invoiceEvents },
    tables: ['email_test_clocks'],
  });
}
