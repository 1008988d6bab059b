import { parsePhoneNumberFromString } from 'libphonenumber-js/core';
import metadata from 'libphonenumber-js/min/metadata';
import type { Language } from '../settings/types.js';

// Countries whose customers get the bot in Spanish or English whatever the portal's default.
const SPANISH = new Set(['ES', 'MX', 'CO', 'AR', 'CL', 'PE', 'VE', 'EC', 'GT', 'CU', 'BO', 'DO', 'HN', 'PY', 'SV', 'NI', 'CR', 'PA', 'UY', 'PR', 'GQ']);
const ENGLISH = new Set(['US', 'CA', 'GB', 'IE', 'AU', 'NZ', 'ZA', 'NG', 'KE', 'GH', 'JM', 'TT', 'BS', 'BB', 'SG']);

/**
 * The language the bot speaks to a customer: the one of their number's country when we have the
 * text for it (a +1 customer of a Colombian company reads English), else the portal's language.
 */
export function customerLanguage(phoneE164: string | null, portalLanguage: Language): Language {
  const country = phoneE164 ? parsePhoneNumberFromString(phoneE164, metadata)?.country : undefined;
  if (country && SPANISH.has(country)) return 'es';
  if (country && ENGLISH.has(country)) return 'en';
  return portalLanguage;
}
