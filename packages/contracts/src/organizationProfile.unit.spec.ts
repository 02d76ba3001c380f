import { describe, expect, it } from 'vitest';
import { UpdateOrganizationProfileBody } from './organizationProfile';

const parse = (body: unknown) => UpdateOrganizationProfileBody.safeParse(body);

describe('UpdateOrganizationProfileBody', () => {
  it('normalises the colour to lower case and the country to upper case', () => {
    const body = { accent_color: '#AbCdEf', address: { line1: '1 Main St', city: 'Berlin', country: 'de' } };
    expect(parse(body).data).toEqual({
      accent_color: '#abcdef',
      address: { line1: '1 Main St', city: 'Berlin', country: 'DE' },
    });
  });

  it.each(['ZZ', 'EU', 'XK', 'D', 'DEU', '12'])('refuses %s as a country', (country) => {
    expect(parse({ address: { line1: '1 Main St', city: 'Berlin', country } }).success).toBe(false);
  });

  it.each([
    'http://cdn.example.com/logo.png',
    'javascript:alert(1)',
    'data:image/png;base64,AAAA',
    'https://localhost/logo.png',
    'https://10.0.0.1/logo.png',
  ])('refuses %s as a logo', (logo_url) => {
    expect(parse({ logo_url }).success).toBe(false);
  });

  it.each(['red', '#abc', '#abcdefg', 'abcdef'])('refuses %s as an accent colour', (accent_color) => {
    expect(parse({ accent_color }).success).toBe(false);
  });

  it('needs line1, city and country in an address, and takes null to clear any field', () => {
    expect(parse({ address: { country: 'DE' } }).success).toBe(false);
    expect(parse({ name: null, logo_url: null, address: null, tax_id: null, support_email: null }).success).toBe(true);
  });
});
