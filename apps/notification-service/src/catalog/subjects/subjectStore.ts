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

/** A subject of a tenant, as the catalog's batch handler keeps it by name. */
export interface TenantSubject {
  tenant: Tenant;
  key: SubjectKey;
}

/** A name for a tenant's subject, unique across tenants, kinds and ids. */
export const subjectName = ({ tenant, key }: TenantSubject): string =>
  JSON.stringify([tenant.organizationId, tenant.mode, key.kind, key.id]);

/** `loadSubject` for many subjects in one statement, by `subjectName`; each row locked in a fixed order. */
export async function loadSubjects(
  tx: Transaction,
  subjects: readonly TenantSubject[],
): Promise<Map<string, StoredSubject>> {
  if (subjects.length === 0) return new Map();
  const { rows } = await tx.query<
    StoredSubject & { organization_id: string; mode: string; kind: SubjectKind; id: string }
  >(
    `SELECT organization_id, mode, kind, id, version, state FROM catalog_subjects
      WHERE (organization_id, mode, kind, id) IN (SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]))
      ORDER BY organization_id, mode, kind, id FOR UPDATE`,
    columnsOf(subjects),
  );
  return new Map(
    rows.map((row) => [
      subjectName({ tenant: { organizationId: row.organization_id, mode: row.mode as Tenant['mode'] }, key: row }),
      { version: row.version, state: row.state },
    ]),
  );
}

/** `saveSubject` for many distinct subjects: one statement for those stored, one for those gone. */
export async function saveSubjects(
  tx: Transaction,
  subjects: readonly (TenantSubject & { version: number; state: SubjectStates[SubjectKind] | undefined })[],
): Promise<void> {
  const gone = subjects.filter((subject) => subject.state === undefined);
  const kept = subjects.filter((subject) => subject.state !== undefined);
  if (gone.length > 0)
    await tx.query(
      `DELETE FROM catalog_subjects
        WHERE (organization_id, mode, kind, id) IN (SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]))`,
      columnsOf(gone),
    );
  if (kept.length > 0)
    await tx.query(
      `INSERT INTO catalog_subjects (organization_id, mode, kind, id, version, state)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::json[])
       ON CONFLICT (organization_id, mode, kind, id) DO UPDATE SET version = EXCLUDED.version, state = EXCLUDED.state`,
      [
        ...columnsOf(kept),
        kept.map((subject) => subject.version),
        kept.map((subject) => JSON.stringify(subject.state)),
      ],
    );
}

function columnsOf(subjects: readonly TenantSubject[]): string[][] {
  return [
    subjects.map(({ tenant }) => tenant.organizationId),
    subjects.map(({ tenant }) => tenant.mode),
    subjects.map(({ key }) => key.kind),
    subjects.map(({ key }) => key.id),
  ];
}
