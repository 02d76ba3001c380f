export { AfternoonApiError, type ApiErrorBody, type ErrorCode } from './apiError';
export { type AfternoonClient, type AfternoonClientOptions, type Answer, createAfternoonClient } from './client';
export type { PaginatedItem, PaginatedPath } from './paginate';
export type { RetryPolicy } from './retryPolicy';
export type { components, operations, paths } from './schema';
export {
  type VerifyWebhookOptions,
  verifyWebhook,
  type WebhookEvent,
  type WebhookHeaders,
  WebhookVerificationError,
} from './verifyWebhook';
