import { Mode } from '@afternoon/contracts/common';
import type { Request } from 'express';

/** Header names the gateway uses to tell a service whose data a query is about. */
export const TenantHeaders = { organizationId: 'x-afternoon-organization-id', mode: 'x-afternoon-mode' } as const;

export interface Tenant {
  organizationId: string;
  mode: Mode;
}

/** The tenant of an internal query; a request without one is refused rather than answered unscoped. */
export function tenantOf(request: Request): Tenant {
  const organizationId = request.header(TenantHeaders.organizationId);
  const mode = Mode.safeParse(request.header(TenantHeaders.mode));
  if (!organizationId || !mode.success) throw new MissingTenantError();
  return { organizationId, mode: mode.data };
}

export class MissingTenantError extends Error {
  constructor() {
    super('internal query without organization and mode');
  }
}
