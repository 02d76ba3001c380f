import { UpdateOrganizationProfileBody } from '@afternoon/contracts/organizationProfile';
import { type RouteFuzz, routeKey } from './routeFuzz';

/** The hosted invoice page, its PDF, its Pay and save-a-card buttons, and the organization profile that brands them (one for both modes). */
export const hostedInvoiceRouteDescriptions: Record<string, RouteFuzz> = {
  [routeKey('GET', '/inv/:token.pdf')]: { auth: 'none', params: { token: 'hostedToken' }, pages: true },
  [routeKey('GET', '/inv/:token')]: { auth: 'none', params: { token: 'hostedToken' }, pages: true },
  [routeKey('POST', '/inv/:token/pay')]: { auth: 'none', params: { token: 'hostedToken' }, pages: true },
  [routeKey('POST', '/inv/:token/setup')]: { auth: 'none', params: { token: 'hostedToken' }, pages: true },

  [routeKey('GET', '/v1/organization_profile')]: { auth: 'key' },
  [routeKey('PATCH', '/v1/organization_profile')]: {
    auth: 'key',
    body: UpdateOrganizationProfileBody,
    sample: () => ({
      name: 'Acme Billing GmbH',
      logo_url: 'https://cdn.acme.example/logo.png',
      accent_color: '#0a7cff',
      address: { line1: 'Friedrichstraße 1', city: 'Berlin', postal_code: '10117', country: 'DE' },
      tax_id: 'DE123456789',
      support_email: 'billing@acme.example',
    }),
    readBack: () => ['/v1/organization_profile'],
  },
};
