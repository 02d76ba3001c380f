import { HostedInvoice } from '@afternoon/contracts/invoices';
import type { OrganizationProfile } from '@afternoon/contracts/organizationProfile';
import { askService, type InternalApi, ServiceRefusedError, ServiceUnavailableError } from '@afternoon/service-kit';
import type pg from 'pg';
import { ApiHttpError } from '../http/apiError';
import { readOrganizationProfile } from '../organizationProfile/organizationProfileStore';
import type { HostedInvoiceView, InvoiceSeller } from './hostedInvoiceView';

export interface HostedInvoiceDeps {
  pool: pg.Pool;
  invoicing: InternalApi;
}

const noProfile: InvoiceSeller = {
  name: '',
  logo_url: null,
  accent_color: null,
  address: null,
  tax_id: null,
  support_email: null,
};

/** What a hosted-invoice token looks like; anything else is not looked up. */
export const tokenFormat = /^[A-Za-z0-9_-]{16,128}$/;

/**
 * The finalized invoice behind a hosted-invoice token, with its seller's profile; undefined for malformed and unknown
 * tokens and for drafts alike, so callers answer them all the same way.
 */
export async function loadHostedInvoice(
  deps: HostedInvoiceDeps,
  token: string,
): Promise<HostedInvoiceView | undefined> {
  if (!tokenFormat.test(token)) return undefined;
  const answer = await findHostedInvoice(deps.invoicing, token);
  if (!answer) return undefined;
  const seller = sellerOf(await readOrganizationProfile(deps.pool, answer.organization_id));
  return { seller, invoice: answer.invoice, customer: answer.customer };
}

/** Unreachable, past its deadline, failing or refusing, invoicing-service makes the page briefly unavailable. */
async function findHostedInvoice(invoicing: InternalApi, token: string): Promise<HostedInvoice | undefined> {
  try {
    return await askService(invoicing, {
      path: `/public-invoices/${encodeURIComponent(token)}`,
      answer: HostedInvoice,
    });
  } catch (error) {
    if (error instanceof ServiceRefusedError && error.status === 404) return undefined;
    if (error instanceof ServiceRefusedError || error instanceof ServiceUnavailableError)
      throw ApiHttpError.of('SERVICE_UNAVAILABLE', 'This invoice is briefly unavailable; retry later');
    throw error;
  }
}

// Only what the invoice shows: its version (the PDF cache's key) does not move when nothing printed changed.
function sellerOf(profile: OrganizationProfile | undefined): InvoiceSeller {
  if (!profile) return noProfile;
  const { organization_id: _organization, updated_at: _updated, ...seller } = profile;
  return seller;
}
