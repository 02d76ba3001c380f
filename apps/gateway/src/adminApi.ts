import type { Router } from 'express';
import { deadLetterRoutes } from './deadLetters/deadLetterRoutes';
import type { DeadLetterSource } from './deadLetters/listDeadLetters';
import { adminRoutes } from './organizations/adminRoutes';

/** The admin API behind ADMIN_TOKEN: organizations and their keys, and the dead letters to inspect and replay. */
export function adminApi(source: DeadLetterSource, adminToken: string): Router[] {
  return [adminRoutes(source.pool, adminToken), deadLetterRoutes(source, adminToken)];
}
