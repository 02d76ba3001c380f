import { timingSafeEqual } from 'node:crypto';
import { preparedStatement } from '@afternoon/service-kit';
import type { RequestHandler } from 'express';
import type pg from 'pg';
import { ApiHttpError } from '../http/apiError';
import { hashApiKey, modeOfKey } from './apiKeys';
import type { CallerCache, KeyRow } from './callerCache';

const keyByHash = `SELECT k.id, k.organization_id, k.mode, k.revoked_at, o.rate_limit_per_minute
  FROM api_keys k JOIN organizations o ON o.id = k.organization_id WHERE k.key_hash = $1`;

/**
 * Resolves `Authorization: Bearer ak_…` to the organization and mode the key belongs to: from `callers` when it holds
 * the key, else from Postgres (then held).
 */
export function authenticate(pool: pg.Pool, callers: CallerCache): RequestHandler {
  return async (request, response, next) => {
    const token = bearerToken(request.header('authorization'));
    if (!token) throw ApiHttpError.of('UNAUTHORIZED', 'Missing or invalid Authorization header');
    const mode = modeOfKey(token);
    if (!mode) throw ApiHttpError.of('INVALID_API_KEY', 'Invalid API key format');
    const keyHash = hashApiKey(token);
    const key = callers.get(keyHash) ?? (await lookUp(pool, callers, keyHash));
    if (!key) throw ApiHttpError.of('INVALID_API_KEY', 'Invalid API key');
    if (key.revoked_at) throw ApiHttpError.of('API_KEY_REVOKED', 'API key has been revoked');
    response.locals.caller = {
      organizationId: key.organization_id,
      mode: key.mode,
      apiKeyId: key.id,
      rateLimitPerMinute: key.rate_limit_per_minute,
    };
    next();
  };
}

async function lookUp(pool: pg.Pool, callers: CallerCache, keyHash: string): Promise<KeyRow | undefined> {
  const begunAt = callers.begin();
  let rows: KeyRow[];
  try {
    // The organization's rate limit comes with the key, so limiting the request costs no query of its own.
    // Prepared: Postgres would otherwise plan the join for each key not held.
    ({ rows } = await pool.query<KeyRow>(preparedStatement({ text: keyByHash, values: [keyHash] })));
  } catch {
    throw ApiHttpError.of('SERVICE_UNAVAILABLE', 'Authentication is unavailable; retry with exponential backoff');
  }
  const key = rows[0];
  if (key) callers.keep(keyHash, key, begunAt);
  return key;
}

/** Guards the self-hoster's admin API with the single ADMIN_TOKEN. */
export function authenticateAdmin(adminToken: string): RequestHandler {
  const expected = Buffer.from(adminToken);
  return (request, _response, next) => {
    const token = bearerToken(request.header('authorization'));
    if (!token) throw ApiHttpError.of('UNAUTHORIZED', 'Missing or invalid Authorization header');
    const given = Buffer.from(token);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw ApiHttpError.of('UNAUTHORIZED', 'Invalid admin token');
    }
    next();
  };
}

/** The token of `Bearer <token>`; the scheme is case-insensitive (RFC 9110 §11.1), so `bearer` works too. */
function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}
