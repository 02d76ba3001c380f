/** The Kafka consumer group of one of a service's consumers: `<TOPIC_PREFIX><service>.<consumer>`. */
export function consumerGroupId(topicPrefix: string, serviceName: string, consumerName: string): string {
  return `${topicPrefix}${serviceName}.${consumerName}`;
}
