export { freePort } from './freePort';
export { type PrivateKafka, type ScramUser, startPrivateKafka } from './privateKafka';
export { type PrivatePostgres, startPrivatePostgres } from './privatePostgres';
