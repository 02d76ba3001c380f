import type { InvoiceEmailKind } from '@afternoon/contracts/invoiceEmails';
import type { Queryable, Tenant } from '@afternoon/service-kit';

const reminderKinds: readonly InvoiceEmailKind[] = ['reminder_before_due', 'reminder_overdue'];

/**
 * Why a due email must not go: a reminder whose invoice is no longer open (paid, voided, marked uncollectible) as the
 * catalog knows it now; the invoice's status then, or null when the email may go.
 */
export async function reminderCanceledBy(
  db: Queryable,
  tenant: Tenant,
  kind: InvoiceEmailKind,
  invoiceId: string,
): Promise<string | null> {
  if (!reminderKinds.includes(kind)) return null;
  const { rows } = await db.query<{ status: string | null }>(
    `SELECT state->>'status' AS status FROM catalog_subjects
      WHERE organization_id = $1 AND mode = $2 AND kind = 'invoice' AND id = $3`,
    [tenant.organizationId, tenant.mode, invoiceId],
  );
  const status = rows[0]?.status ?? 'open';
  return status === 'open' ? null : status;
}
