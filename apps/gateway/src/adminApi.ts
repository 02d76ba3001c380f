import type { Router } from 'express';
import type { CallerCache } from './auth/callerCache';
import { deadLetterRoutes } from './deadLetters/deadLetterRoutes';
import type { DeadLetterSource } from './deadLetters/listDeadLetters';
import { adminRoutes } from './organizations/adminRoutes';

/** The admin API behind ADMIN_TOKEN: organizations and their keys, and the dead letters to inspect and replay. */
export function adminApi(source: DeadLetterSource, adminToken: string, callers: CallerCache): Router[] {
  return [adminRoutes(source.pool, adminToken, callers), deadLetterRoutes(source, adminToken)];
}
