import type { Tenant, Transaction } from '@afternoon/service-kit';
import type { SubjectKey, SubjectKind, SubjectStates } from './subjects';

export interface StoredSubject<K extends SubjectKind = SubjectKind> {
  version: number;
  state: SubjectStates[K];
}

/** A subject of a tenant, as the catalog keeps it by name. */
export interface TenantSubject {
  tenant: Tenant;
  key: SubjectKey;
}

/** A name for a tenant's subject, unique across tenants, kinds and ids. */
export const subjectName = ({ tenant, key }: TenantSubject): string =>
  JSON.stringify([tenant.organizationId, tenant.mode, key.kind, key.id]);

/**
 * The subjects' folded states and the stream versions they reflect, in one statement, by `subjectName`; each row
 * locked for the consumer's transaction, in a fixed order.
 */
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

/**
 * Stores distinct subjects' states as of their versions (one statement), and removes those their streams deleted,
 * such as a draft invoice (another).
 */
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
