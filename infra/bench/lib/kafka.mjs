// A kafkajs client for the bench's own producing and admin calls (quiet: errors surface as exceptions).
import kafkajs from 'kafkajs';

const { Kafka, logLevel } = kafkajs;

export function benchKafka(brokers) {
  return new Kafka({ clientId: 'afternoon-bench', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
}

export async function withAdmin(brokers, work) {
  const admin = benchKafka(brokers).admin();
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.disconnect();
  }
}
