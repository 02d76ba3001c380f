export { eventually } from './eventually';
export { type FakeStripe, type FakeStripeError, type FakeStripeRequest, startFakeStripe } from './fakeStripe';
export { freePort, type PrivateKafka, type PrivatePostgres, startPrivateKafka, startPrivatePostgres } from './faults';
export { GatewayClient, type GatewayResponse } from './gatewayClient';
export { dropSchemas, serviceEnv, testInfra, testInternalApiToken, uniqueName } from './infra';
export { type ExitStatus, type NodeProcess, spawnNode } from './nodeProcess';
export { commandRecord, customerCreatedRecord, customerDeletedRecord, type TestRecord } from './records';
export { type CollectedMessage, collectTopic, dropTopics, produce } from './topics';
