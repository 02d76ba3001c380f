export { commandMetadata } from './commandMetadata';
export { eventually } from './eventually';
export { type PrivateKafka, startPrivateKafka } from './faults/privateKafka';
export { type PrivatePostgres, startPrivatePostgres } from './faults/privatePostgres';
export { GatewayClient, type GatewayResponse } from './gatewayClient';
export { dropSchemas, serviceEnv, testInfra, uniqueName } from './infra';
export { commandRecord, customerCreatedRecord, customerDeletedRecord, type TestRecord } from './records';
export { type CollectedMessage, collectTopic, dropTopics, produce } from './topics';
