import { UpdateOrganizationProfileBody } from '@afternoon/contracts/organizationProfile';
import { Router } from 'express';
import { ApiHttpError } from '../http/apiError';
import { callerOf } from '../http/requestContext';
import { respond } from '../http/respond';
import { validate } from '../http/validation';
import { answerOnce } from '../idempotency/answerOnce';
import type { RouteDeps } from '../routeDeps';
import { readOrganizationProfile, updateOrganizationProfile } from './organizationProfileStore';

/**
 * `/v1/organization_profile`: how the caller's organization presents itself on its hosted invoices and PDFs. Kept by
 * the gateway beside the organization, and like it one for both modes: a test key reads and edits the same profile.
 */
export function organizationProfileRoutes(deps: RouteDeps): Router {
  const router = Router();

  router.get('/v1/organization_profile', async (_request, response) => {
    const profile = await readOrganizationProfile(deps.pool, callerOf(response).organizationId);
    if (!profile) throw ApiHttpError.of('NOT_FOUND', 'No such organization');
    respond(response, 200, { organization_profile: profile });
  });

  router.patch('/v1/organization_profile', async (request, response) => {
    const changes = validate(UpdateOrganizationProfileBody, request.body ?? {});
    await answerOnce(deps, request, response, null, async () => {
      const profile = await updateOrganizationProfile(deps.pool, callerOf(response).organizationId, changes);
      if (!profile) throw ApiHttpError.of('NOT_FOUND', 'No such organization');
      return {
        status: 200,
        body: { success: true, organization_profile: profile, request_id: response.locals.requestId },
      };
    });
  });

  return router;
}
