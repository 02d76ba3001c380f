// What the rate limiter adds to a cheap read: `GET /v1/customers?limit=1` for an organization with no limit (the
// bench runs with RATE_LIMIT_PER_MINUTE=0), then for one whose own limit is high enough never to refuse, so every
// request also looks up that limit and counts itself in the shared Postgres window (one upsert on one hot row).
import { callApi, createOrganization } from '../lib/api.mjs';

const neverReached = 10_000_000;

/** @param {boolean} limited @returns {import('../scenario.mjs').Scenario} */
function customerList(limited) {
  return {
    id: limited ? 'rate-limited-read' : 'unlimited-read',
    title: `GET /v1/customers?limit=1, rate limiter ${limited ? 'on' : 'off'}`,
    measures: limited
      ? 'The same read for an organization with a limit of its own (10,000,000 a minute, never reached): the ' +
        "gateway also reads the organization's limit and counts the request in its Postgres window."
      : 'One `GET /v1/customers?limit=1` per request with a live key of an organization without a rate limit: ' +
        'authentication, then customer-service over internal HTTP.',
    connections: [1, 10],
    async prepare({ baseUrl, adminToken, organization }) {
      const reader = await createOrganization(
        baseUrl,
        adminToken,
        `${organization.id} ${limited ? 'limited' : 'free'}`,
      );
      if (limited) {
        const limit = { rate_limit_per_minute: neverReached };
        await callApi(baseUrl, adminToken, 'PATCH', `/v1/admin/organizations/${reader.id}`, limit);
      }
      return {
        method: 'GET',
        path: '/v1/customers?limit=1',
        headers: { authorization: `Bearer ${reader.keys.live}` },
      };
    },
  };
}

export default [customerList(false), customerList(true)];
