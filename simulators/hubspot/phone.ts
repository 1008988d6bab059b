// HubSpot's hs_searchable_calculated_* phone properties keep only the national number (no country code).
// core + the JS metadata module: avoids the package's bare JSON import (which Jest's ESM mode warns about)
import { parsePhoneNumberFromString } from 'libphonenumber-js/core';
import metadata from 'libphonenumber-js/min/metadata';

/**
 * '+573001234567' → '3001234567'; '+57 300 123 4567' → '3001234567';
 * '3001234567' → '3001234567' (no country known: digits only).
 */
export function searchablePhone(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const trimmed = raw.trim();
  if (trimmed === '') return undefined;
  if (trimmed.startsWith('+')) {
    const parsed = parsePhoneNumberFromString(trimmed, metadata);
    if (parsed?.nationalNumber) return String(parsed.nationalNumber);
  }
  const digits = trimmed.replace(/\D+/g, '');
  return digits === '' ? undefined : digits;
}
