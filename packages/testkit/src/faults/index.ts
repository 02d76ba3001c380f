export { freePort } from './freePort';
export { type PrivateKafka, startPrivateKafka } from './privateKafka';
export { type PrivatePostgres, startPrivatePostgres } from './privatePostgres';
