/** The Kafka consumer group of one of a service's consumers: `<TOPIC_PREFIX><service>.<consumer>`. */
export function consumerGroupId(topicPrefix: string, serviceName: string, consumerName: string): string {
  return `${topicPrefix}${serviceName}.${consumerName}`;
}

/** The consumer `startService` runs for a service's own commands; a rebuild never resets it (commands expire). */
export const commandsConsumerName = 'commands';
