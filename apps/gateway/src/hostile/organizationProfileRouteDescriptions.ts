import { UpdateOrganizationProfileBody } from '@afternoon/contracts/organizationProfile';
import { type RouteFuzz, routeKey } from './routeFuzz';

/** The organization profile's routes (its branding on hosted invoices): one profile for both modes. */
export const organizationProfileRouteDescriptions: Record<string, RouteFuzz> = {
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
