import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster, type TestOrganization } from '../../test/testCluster';

const fullProfile = {
  name: 'Łódź Widgets sp. z o.o.',
  logo_url: 'https://cdn.widgets.example/logo.png',
  accent_color: '#AA3300',
  address: { line1: 'ul. Piotrkowska 1', city: 'Łódź', postal_code: '90-001', country: 'pl' },
  tax_id: 'PL1234567890',
  support_email: 'help@widgets.example',
};

describe('organization profile: the branding on an organization hosted invoices', () => {
  let cluster: TestCluster;
  let acme: TestOrganization;
  let globex: TestOrganization;

  beforeAll(async () => {
    cluster = await startTestCluster();
    acme = await cluster.createOrganization('Acme Inc.');
    globex = await cluster.createOrganization('Globex');
  });
  afterAll(() => cluster?.stop());

  it("starts as the organization's name and nothing else", async () => {
    const response = await globex.live.get('/v1/organization_profile');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      success: true,
      organization_profile: {
        organization_id: globex.id,
        name: 'Globex',
        logo_url: null,
        accent_color: null,
        address: null,
        tax_id: null,
        support_email: null,
        updated_at: null,
      },
      request_id: expect.stringMatching(/^req_/),
    });
  });

  it('is set whole, normalised, shared by both modes and by no other organization', async () => {
    const set = await acme.live.patch('/v1/organization_profile', fullProfile);
    expect(set.status).toBe(200);
    const expected = {
      ...fullProfile,
      organization_id: acme.id,
      accent_color: '#aa3300',
      address: { ...fullProfile.address, country: 'PL' },
      updated_at: expect.any(String),
    };
    expect(set.body.organization_profile).toEqual(expected);
    // One profile per organization: the test key reads (and would edit) the very same one.
    expect((await acme.test.get('/v1/organization_profile')).body.organization_profile).toEqual(
      set.body.organization_profile,
    );
    expect((await globex.live.get('/v1/organization_profile')).body.organization_profile.name).toBe('Globex');
  });

  it('changes only the fields sent, clears a field sent as null, and falls back to the organization name', async () => {
    await acme.test.patch('/v1/organization_profile', fullProfile);
    const changed = await acme.test.patch('/v1/organization_profile', { tax_id: 'PL999', logo_url: null, name: null });
    expect(changed.status).toBe(200);
    expect(changed.body.organization_profile).toMatchObject({
      name: 'Acme Inc.',
      logo_url: null,
      tax_id: 'PL999',
      accent_color: '#aa3300',
      support_email: 'help@widgets.example',
      address: { line1: 'ul. Piotrkowska 1', city: 'Łódź', postal_code: '90-001', country: 'PL' },
    });
  });

  it('refuses bad fields with a 400 naming each of them at once, and changes nothing', async () => {
    const before = (await acme.live.get('/v1/organization_profile')).body.organization_profile;
    const refused = await acme.live.patch('/v1/organization_profile', {
      logo_url: 'http://cdn.widgets.example/logo.png',
      accent_color: 'red',
      address: { line1: '1 Way', city: 'Nowhere', country: 'ZZ' },
      support_email: 'not an email',
      name: '   ',
      colour: '#ffffff',
    });
    expect(refused.status).toBe(400);
    expect(refused.body.success).toBe(false);
    expect(refused.body.error.code).toBe('VALIDATION_ERROR');
    const params = refused.body.error.details.map((problem: { param: string }) => problem.param);
    expect(params).toEqual(
      expect.arrayContaining(['logo_url', 'accent_color', 'address.country', 'support_email', 'name']),
    );
    for (const logo of ['javascript:alert(1)', 'data:image/png;base64,AAAA', 'https://localhost/logo.png']) {
      expect((await acme.live.patch('/v1/organization_profile', { logo_url: logo })).status).toBe(400);
    }
    expect((await acme.live.get('/v1/organization_profile')).body.organization_profile).toEqual(before);
  });
});
