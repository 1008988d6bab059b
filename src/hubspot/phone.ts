// core + the JS metadata module: avoids the package's bare JSON import (which Jest's ESM mode warns about)
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/core';
import metadata from 'libphonenumber-js/min/metadata';

export interface PhoneIdentity {
  /** +573001234567 */
  e164: string;
  countryCallingCode: string;
  country?: CountryCode;
  /** Every spelling of this number we accept as the same person, in E.164. */
  e164Variants: string[];
  /** National numbers (variants), as HubSpot's searchable phone properties keep them. */
  nationals: string[];
  /** Country code + national number, digits only (numbers stored without "+"). */
  fullDigits: string[];
  /**
   * What HubSpot's hs_searchable_calculated_*_number may hold for it: the national number (HubSpot
   * keeps only area code + local number), its known variants, and the full digits for numbers
   * stored without a "+".
   */
  searchValues: string[];
}

/** A WhatsApp id (digits) or a phone in any format with a country code → E.164, or null. */
export function toE164(raw: string | null | undefined, defaultCountry?: CountryCode): string | null {
  if (!raw) return null;
  const trimmed = raw.trim();
  const digits = trimmed.replace(/\D/g, '');
  if (!digits) return null;
  const candidate = trimmed.startsWith('+') ? `+${digits}` : trimmed.startsWith('00') ? `+${digits.slice(2)}` : null;
  const p = candidate
    ? parsePhoneNumberFromString(candidate, metadata)
    : defaultCountry
      ? parsePhoneNumberFromString(trimmed, defaultCountry, metadata)
      : parsePhoneNumberFromString(`+${digits}`, metadata); // a bare WhatsApp id carries its country code
  return p?.number ? String(p.number) : null;
}

/** National-number variants a country's numbers are commonly written with (mobile "9" / "1" prefixes). */
function nationalVariants(cc: string, nat: string): string[] {
  const out = [nat];
  if (cc === '55') {
    // Brazil: mobile numbers gained a 9 after the area code; older WhatsApp ids lack it.
    if (nat.length === 10 && /^[1-9]{2}[6-9]/.test(nat)) out.push(nat.slice(0, 2) + '9' + nat.slice(2));
    if (nat.length === 11 && nat[2] === '9') out.push(nat.slice(0, 2) + nat.slice(3));
  } else if (cc === '54') {
    // Argentina: mobiles are +54 9 <area> <number> internationally, written without the 9 at home.
    if (nat.startsWith('9') && nat.length === 11) out.push(nat.slice(1));
    if (!nat.startsWith('9') && nat.length === 10) out.push('9' + nat);
  } else if (cc === '52') {
    // Mexico: the mobile "1" after +52 was dropped in 2019; old records and ids may still have it.
    if (nat.startsWith('1') && nat.length === 11) out.push(nat.slice(1));
    if (nat.length === 10) out.push('1' + nat);
  }
  return [...new Set(out)];
}

export function phoneIdentity(e164: string): PhoneIdentity | null {
  const p = parsePhoneNumberFromString(e164, metadata);
  if (!p) return null;
  const cc = String(p.countryCallingCode);
  const nats = nationalVariants(cc, String(p.nationalNumber));
  const e164Variants = nats.map((n) => `+${cc}${n}`);
  const fullDigits = nats.map((n) => cc + n);
  const searchValues = [...new Set([...nats, ...fullDigits])];
  return { e164: String(p.number), countryCallingCode: cc, country: p.country, e164Variants, nationals: nats, fullDigits, searchValues };
}

export type MatchStrength = 0 | 1 | 2 | 3;

/**
 * How well a phone value stored in HubSpot matches the identity: 2 = same number with its country
 * code (any known variant), 1 = national number only (stored without a country code), 0 = other.
 */
export function matchStoredPhone(id: PhoneIdentity, stored: string | null | undefined): MatchStrength {
  if (!stored || !stored.trim()) return 0;
  const s = stored.trim();
  const digits = s.replace(/\D/g, '');
  if (!digits) return 0;
  if (s.startsWith('+') || s.startsWith('00')) {
    const e = toE164(s);
    return e && id.e164Variants.includes(e) ? 2 : 0;
  }
  if (id.fullDigits.includes(digits)) return 2;
  // Written nationally: try it as a number of our country, then as bare national digits.
  if (id.country) {
    const e = toE164(s, id.country);
    if (e && id.e164Variants.includes(e)) return 1;
  }
  const national = digits.replace(/^0+/, '');
  return id.nationals.includes(national) ? 1 : 0;
}

/** "Ana María Ruiz" → { first: "Ana", last: "María Ruiz" } (WhatsApp gives one free-text name). */
export function splitProfileName(name: string | null | undefined): { first?: string; last?: string } {
  const clean = (name ?? '').replace(/\s+/g, ' ').trim();
  if (!clean) return {};
  const i = clean.indexOf(' ');
  if (i < 0) return { first: clean.slice(0, 100) };
  return { first: clean.slice(0, i).slice(0, 100), last: clean.slice(i + 1).slice(0, 100) };
}
