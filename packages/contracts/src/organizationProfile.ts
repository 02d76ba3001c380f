import { z } from 'zod';
import { NonBlankString } from './common';

/*
 * An organization's profile: how its invoices present it to customers (the hosted page and the PDF). One per
 * organization, shared by both modes as the organization itself is: test-mode invoices look like live ones.
 */

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });

// ISO 3166-1's 249 officially assigned alpha-2 codes (ICU also names regions such as EU or ZZ, which are not).
const assignedCountryCodes = new Set(
  [
    'AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ',
    'CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO',
    'FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE',
    'JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO',
    'MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW',
    'PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM',
    'TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW',
  ]
    .join(' ')
    .split(' '),
);

/** An ISO 3166-1 alpha-2 country code ("de" or "DE"), upper-cased. */
export const CountryCode = z
  .string()
  .regex(/^[A-Za-z]{2}$/, 'must be a two-letter ISO 3166-1 country code')
  .toUpperCase()
  .refine((code) => assignedCountryCodes.has(code), { message: 'must be an assigned ISO 3166-1 alpha-2 country code' });
export type CountryCode = z.infer<typeof CountryCode>;

/** The country's English name ("Germany") for printing; the code itself when ICU has none. */
export function countryName(code: string): string {
  return regionNames.of(code) ?? code;
}

/** The organization's postal address as printed on its invoices. */
export const ProfileAddress = z.strictObject({
  line1: NonBlankString.trim().max(255),
  line2: z.string().trim().max(255).optional(),
  city: NonBlankString.trim().max(255),
  postal_code: z.string().trim().max(32).optional(),
  state: z.string().trim().max(255).optional(),
  country: CountryCode,
});
export type ProfileAddress = z.infer<typeof ProfileAddress>;

/** An image the customer's browser loads from the merchant's own host: https only, never a data or http URL. */
export const LogoUrl = z.url({ protocol: /^https$/, hostname: z.regexes.domain }).max(2048);

/** `#rrggbb`, stored lower-case. */
export const AccentColor = z
  .string()
  .regex(/^#[0-9A-Fa-f]{6}$/, 'must be a colour as #rrggbb')
  .toLowerCase();

/** `PATCH /v1/organization_profile`: only provided fields change; `null` clears one (the address is replaced whole). */
export const UpdateOrganizationProfileBody = z.strictObject({
  name: NonBlankString.trim().max(255).nullable().optional(),
  logo_url: LogoUrl.nullable().optional(),
  accent_color: AccentColor.nullable().optional(),
  address: ProfileAddress.nullable().optional(),
  tax_id: NonBlankString.trim().max(64).nullable().optional(),
  support_email: z.email().max(255).nullable().optional(),
});
export type UpdateOrganizationProfileBody = z.infer<typeof UpdateOrganizationProfileBody>;

/** The profile as the API shows it; `name` is the organization's own name until the profile sets another. */
export const OrganizationProfile = z.object({
  organization_id: z.string(),
  name: z.string(),
  logo_url: z.string().nullable(),
  accent_color: z.string().nullable(),
  address: ProfileAddress.nullable(),
  tax_id: z.string().nullable(),
  support_email: z.string().nullable(),
  updated_at: z.string().nullable(),
});
export type OrganizationProfile = z.infer<typeof OrganizationProfile>;
