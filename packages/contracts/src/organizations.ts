import { z } from 'zod';
import { Mode, NonBlankString } from './common';

export const CreateOrganizationBody = z.strictObject({ name: NonBlankString.trim().max(255) });
export type CreateOrganizationBody = z.infer<typeof CreateOrganizationBody>;

/** Requests an organization may make per minute in each mode; 0 means unlimited. */
export const RateLimitPerMinute = z.int().min(0).max(10_000_000);
export type RateLimitPerMinute = z.infer<typeof RateLimitPerMinute>;

/** `rate_limit_per_minute: null` follows the gateway's RATE_LIMIT_PER_MINUTE. */
export const Organization = z.object({
  id: z.string(),
  name: z.string(),
  rate_limit_per_minute: RateLimitPerMinute.nullable(),
  created_at: z.iso.datetime(),
});
export type Organization = z.infer<typeof Organization>;

/** `null` sets the organization back to the gateway's default. */
export const UpdateOrganizationBody = z.strictObject({ rate_limit_per_minute: RateLimitPerMinute.nullable() });
export type UpdateOrganizationBody = z.infer<typeof UpdateOrganizationBody>;

export const ApiKeyPair = z.object({ live: z.string(), test: z.string() });
export type ApiKeyPair = z.infer<typeof ApiKeyPair>;

export const CreateApiKeyBody = z.strictObject({ mode: Mode });
export type CreateApiKeyBody = z.infer<typeof CreateApiKeyBody>;

/** An API key as listed: never the secret, only its last characters. */
export const ApiKey = z.object({
  id: z.string(),
  organization_id: z.string(),
  mode: Mode,
  last4: z.string(),
  created_at: z.iso.datetime(),
  revoked_at: z.iso.datetime().nullable(),
});
export type ApiKey = z.infer<typeof ApiKey>;
