export { commandMetadata } from './commandMetadata';
export { customerCreatedRecord, customerDeletedRecord, type TestRecord } from './customerRecords';
export { eventually } from './eventually';
export { GatewayClient, type GatewayResponse } from './gatewayClient';
export { dropSchemas, serviceEnv, testInfra, uniqueName } from './infra';
export { type CollectedMessage, collectTopic, dropTopics, produce } from './topics';
