import { DomainError, PoisonRecordError } from './errors';

/**
 * Why handling a record failed. `record`: it can never succeed as it is (bad shape, refused by the domain, a value
 * the store cannot hold): dead-letter it with the reason. `world`: a dependency is down, slow, locked or behind:
 * retry for as long as it takes, never dead-letter.
 */
export type FailureKind = 'record' | 'world';

/** Something this record needs is not there yet (a projection behind, a peer service down): retried, never refused. */
export class NotYetError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'NotYetError';
  }
}

// SQLSTATE classes about the value, not the server: data exceptions (22: a NUL byte, an untranslatable character,
// a number out of range) and integrity violations (23). Everything else (connections 08, resources 53, operator
// intervention 57 with a statement past its timeout 57014, serialization 40, a lock wait past its timeout 55P03) is
// the world's: the same statement succeeds once the database is less busy (ADR 0007).
const recordSqlStateClasses = new Set(['22', '23']);

/** Classifies a handler's error; unknown errors count as the world's, so a good record is never dead-lettered by a bug. */
export function failureKind(error: unknown): FailureKind {
  if (error instanceof NotYetError) return 'world';
  if (error instanceof PoisonRecordError || error instanceof DomainError) return 'record';
  const sqlState = (error as { code?: unknown } | null)?.code;
  if (typeof sqlState === 'string' && /^[0-9A-Z]{5}$/.test(sqlState)) {
    return recordSqlStateClasses.has(sqlState.slice(0, 2)) ? 'record' : 'world';
  }
  return 'world';
}
