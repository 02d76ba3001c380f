import { CreateApiKeyBody, CreateOrganizationBody, UpdateOrganizationBody } from '@afternoon/contracts/organizations';
import { Router } from 'express';
import type pg from 'pg';
import { authenticateAdmin } from '../auth/authenticate';
import type { CallerCache } from '../auth/callerCache';
import { ApiHttpError } from '../http/apiError';
import { respond } from '../http/respond';
import { validate } from '../http/validation';
import {
  createApiKey,
  createOrganization,
  listApiKeys,
  listOrganizations,
  organizationExists,
  revokeApiKey,
  setOrganizationRateLimit,
} from './organizationStore';

/**
 * The self-hoster's API: organizations and their keys, behind ADMIN_TOKEN. A change this gateway makes also forgets
 * the callers it holds at once; other gateways forget them on the change's notice.
 */
export function adminRoutes(pool: pg.Pool, adminToken: string, callers: CallerCache): Router {
  const router = Router();
  router.use('/v1/admin', authenticateAdmin(adminToken));

  router.post('/v1/admin/organizations', async (request, response) => {
    const body = validate(CreateOrganizationBody, request.body);
    respond(response, 201, await createOrganization(pool, body.name));
  });

  router.get('/v1/admin/organizations', async (_request, response) => {
    respond(response, 200, { organizations: await listOrganizations(pool) });
  });

  router.patch('/v1/admin/organizations/:id', async (request, response) => {
    const body = validate(UpdateOrganizationBody, request.body);
    const organization = await setOrganizationRateLimit(pool, request.params.id, body.rate_limit_per_minute);
    callers.forget();
    if (!organization) throw ApiHttpError.of('NOT_FOUND', `No such organization: '${request.params.id}'`, 'id');
    respond(response, 200, { organization });
  });

  router.get('/v1/admin/organizations/:id/api_keys', async (request, response) => {
    await requireOrganization(pool, request.params.id);
    respond(response, 200, { api_keys: await listApiKeys(pool, request.params.id) });
  });

  router.post('/v1/admin/organizations/:id/api_keys', async (request, response) => {
    const body = validate(CreateApiKeyBody, request.body);
    await requireOrganization(pool, request.params.id);
    respond(response, 201, { api_key: await createApiKey(pool, request.params.id, body.mode) });
  });

  router.post('/v1/admin/api_keys/:id/revoke', async (request, response) => {
    const apiKey = await revokeApiKey(pool, request.params.id);
    callers.forget();
    if (!apiKey) throw ApiHttpError.of('NOT_FOUND', `No such API key: '${request.params.id}'`, 'id');
    respond(response, 200, { api_key: apiKey });
  });

  return router;
}

async function requireOrganization(pool: pg.Pool, organizationId: string): Promise<void> {
  if (!(await organizationExists(pool, organizationId))) {
    throw ApiHttpError.of('NOT_FOUND', `No such organization: '${organizationId}'`, 'id');
  }
}
