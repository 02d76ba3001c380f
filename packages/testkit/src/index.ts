export { eventually } from './eventually';
export { type GatewayResponse, GatewayClient } from './gatewayClient';
export { dropSchemas, serviceEnv, testInfra, uniqueName } from './infra';
export { type CollectedMessage, collectTopic, createTopic, produce } from './topics';
