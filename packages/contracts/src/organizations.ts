import { z } from 'zod';
import { Mode, NonBlankString } from './common';

export const CreateOrganizationBody = z.strictObject({ name: NonBlankString.trim().max(255) });
export type CreateOrganizationBody = z.infer<typeof CreateOrganizationBody>;

export const Organization = z.object({ id: z.string(), name: z.string(), created_at: z.iso.datetime() });
export type Organization = z.infer<typeof Organization>;

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
