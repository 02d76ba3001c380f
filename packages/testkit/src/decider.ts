export { commandMetadata } from './commandMetadata';
export { type Decision, deciderSpec } from './deciderSpec';
