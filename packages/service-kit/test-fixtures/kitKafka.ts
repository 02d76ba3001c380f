import { testInfra, uniqueName } from '@afternoon/testkit';
import { connectKafka } from '../src/kafka/kafka';
import { createLogger } from '../src/logger';

/** A kit Kafka connection with a topic namespace no other test uses. */
export function kitKafka() {
  const logger = createLogger('kit-test', 'error');
  const kafka = connectKafka({
    clientId: 'kit-test',
    brokers: testInfra().kafkaBrokers,
    topicPrefix: `${uniqueName('t')}.`,
    logger,
  });
  return { kafka, logger };
}
