import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/core';
import metadata from 'libphonenumber-js/min/metadata';
import { toE164 } from '../hubspot/phone.js';
import { validation } from '../errors.js';
import { checkTemplateParameters, headerMediaFormat, placeholdersOf, type TemplateDefinition } from '../templates/placeholders.js';
import { parseCsv, toCsv } from './csv.js';

export interface RecipientInput {
  phone: string;
  parameters?: string[];
  headerMediaUrl?: string;
}

/** Why a HubSpot list member cannot be sent to, known before anything is stored. */
export type AudienceSkip = 'NO_PHONE' | 'INVALID_PHONE' | 'INVALID_VALUES';

/** One validated audience row, ready to store. */
export interface AudienceRow {
  rowNumber: number;
  /** Null only for a list member skipped for its phone. */
  phoneE164: string | null;
  parameters: string[];
  headerMediaUrl: string | null;
  /** Set for the second and later rows of one phone: sent once. */
  duplicateOf: number | null;
  /** A HubSpot list member: the HubSpot contact it is (linked locally, so no search is needed). */
  hubspotContactId?: string | null;
  /** A list member that cannot be sent to (no usable phone or values): stored as skipped with this code. */
  skip?: AudienceSkip | null;
}

export const MAX_RECIPIENTS = 50_000;
const MAX_ERRORS_REPORTED = 200;

/** The CSV a user fills in for a template: phone, one column per placeholder, the media header URL when it has one. */
export function sampleCsv(t: TemplateDefinition): string {
  const ph = placeholdersOf(t.components);
  const media = headerMediaFormat(t.components);
  const header = ['phone', ...ph.map((p, i) => `${p.component}_${p.name ?? p.index}${p.component === 'button' ? `_${i}` : ''}`), ...(media ? ['header_media_url'] : [])];
  const example = ['+573001234567', ...ph.map((p) => p.example ?? 'value'), ...(media ? [`https://example.com/file.${media === 'IMAGE' ? 'jpg' : media === 'VIDEO' ? 'mp4' : 'pdf'}`] : [])];
  return toCsv([header, example]);
}

/** CSV rows as recipients: a first row starting with "phone" is the header; columns by position. */
export function recipientsFromCsv(csv: string, t: TemplateDefinition): RecipientInput[] {
  const rows = parseCsv(csv);
  if (rows[0] && /^\s*phone/i.test(rows[0][0] ?? '')) rows.shift();
  const count = placeholdersOf(t.components).length;
  const media = headerMediaFormat(t.components) !== null;
  return rows.map((r) => {
    const cells = r.map((c) => c.trim());
    const [phone = '', ...rest] = cells;
    // Extra columns beyond the template's are kept so the count check names the row.
    const parameters = media ? rest.slice(0, Math.max(count, rest.length - 1)) : rest;
    const headerMediaUrl = media && rest.length > count ? rest[rest.length - 1] : undefined;
    return { phone, parameters, ...(headerMediaUrl ? { headerMediaUrl } : {}) };
  });
}

/** E.164 of a number libphonenumber finds valid (a "+" or "00" number, else national in `country`), or null. */
export function validPhone(raw: string, country: CountryCode | undefined): string | null {
  const t = String(raw ?? '').trim();
  if (!/\d/.test(t) || /[a-z]/i.test(t.replace(/ext\.?|x/gi, ''))) return null;
  const intl = t.startsWith('+') ? t : t.startsWith('00') ? `+${t.slice(2)}` : null;
  const p = intl ? parsePhoneNumberFromString(intl, metadata) : country ? parsePhoneNumberFromString(t, country, metadata) : undefined;
  return p?.isValid() ? String(p.number) : null;
}

/** The sending number's country: national numbers in the audience are read as that country's. */
export function countryOf(displayPhone: string | null): CountryCode | undefined {
  const e164 = toE164(displayPhone);
  return e164 ? parsePhoneNumberFromString(e164, metadata)?.country : undefined;
}

/**
 * Every row checked before anything is stored: a phone libphonenumber accepts (national numbers in the
 * sending number's country), exactly the template's placeholders with values Meta takes, a https media
 * URL when the header needs one. Any bad row → 422 VALIDATION naming `recipients.N.field`.
 */
export function validateAudience(inputs: RecipientInput[], t: TemplateDefinition, sendingNumber: string | null): AudienceRow[] {
  if (!inputs.length) throw validation('recipients: the audience is empty', { recipients: 'at least one recipient is required' });
  if (inputs.length > MAX_RECIPIENTS) throw validation(`recipients: at most ${MAX_RECIPIENTS} per campaign`, { recipients: `at most ${MAX_RECIPIENTS}` });
  const country = countryOf(sendingNumber);
  const media = headerMediaFormat(t.components);
  const details: Record<string, string> = {};
  const seen = new Map<string, number>();
  const out: AudienceRow[] = [];
  inputs.forEach((r, i) => {
    const at = `recipients.${i}`;
    const e164 = validPhone(r.phone, country);
    if (!e164) details[`${at}.phone`] = `"${String(r.phone).slice(0, 40)}" is not a valid phone number`;
    try {
      checkTemplateParameters(t, r.parameters ?? []);
    } catch (err) {
      const d = (err as { details?: Record<string, string> }).details ?? {};
      for (const [k, v] of Object.entries(d)) details[`${at}.${k}`] = v;
    }
    let url: string | null = null;
    if (media && ['IMAGE', 'VIDEO', 'DOCUMENT'].includes(media)) {
      if (!r.headerMediaUrl) details[`${at}.headerMediaUrl`] = `the template's ${media.toLowerCase()} header needs a https URL`;
      else if (!/^https:\/\/[^\s]+$/.test(r.headerMediaUrl)) details[`${at}.headerMediaUrl`] = 'must be a https URL';
      else url = r.headerMediaUrl;
    } else if (r.headerMediaUrl) details[`${at}.headerMediaUrl`] = 'the template has no media header';
    if (!e164) return;
    const first = seen.get(e164);
    if (first === undefined) seen.set(e164, i);
    out.push({ rowNumber: i, phoneE164: e164, parameters: r.parameters ?? [], headerMediaUrl: url, duplicateOf: first ?? null });
  });
  const keys = Object.keys(details);
  if (keys.length) {
    const rowsWithErrors = new Set(keys.map((k) => k.split('.')[1])).size;
    const shown = Object.fromEntries(keys.slice(0, MAX_ERRORS_REPORTED).map((k) => [k, details[k]!]));
    throw validation(`${rowsWithErrors} recipient row${rowsWithErrors === 1 ? '' : 's'} cannot be sent (first: ${keys[0]} ${details[keys[0]!]}); nothing was created`, shown);
  }
  return out;
}
