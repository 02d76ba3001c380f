import type { Tenant, Transaction } from '@afternoon/service-kit';
import type { SubjectKey, SubjectKind, SubjectStates } from './subjects';

export interface StoredSubject<K extends SubjectKind = SubjectKind> {
  version: number;
  state: SubjectStates[K];
}

/** The subject's folded state and the stream version it reflects, locked for the consumer's transaction. */
export async function loadSubject(
  tx: Transaction,
  tenant: Tenant,
  key: SubjectKey,
): Promise<StoredSubject | undefined> {
  const { rows } = await tx.query<StoredSubject>(
    `SELECT version, state FROM catalog_subjects
      WHERE organization_id = $1 AND mode = $2 AND kind = $3 AND id = $4 FOR UPDATE`,
    [tenant.organizationId, tenant.mode, key.kind, key.id],
  );
  return rows[0];
}

/** Stores the subject's state as of `version`; a subject its stream deleted (a draft invoice) leaves. */
export async function saveSubject(
  tx: Transaction,
  tenant: Tenant,
  key: SubjectKey,
  version: number,
  state: SubjectStates[SubjectKind] | undefined,
): Promise<void> {
  const identity = [tenant.organizationId, tenant.mode, key.kind, key.id];
  if (state === undefined) {
    await tx.query(
      'DELETE FROM catalog_subjects WHERE organization_id = $1 AND mode = $2 AND kind = $3 AND id = $4',
      identity,
    );
    return;
  }
  await tx.query(
    `INSERT INTO catalog_subjects (organization_id, mode, kind, id, version, state) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (organization_id, mode, kind, id) DO UPDATE SET version = EXCLUDED.version, state = EXCLUDED.state`,
    [...identity, version, JSON.stringify(state)],
  );
}
