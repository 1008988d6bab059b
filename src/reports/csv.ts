import { DateTime } from 'luxon';

/** What the spreadsheet gets first: a UTF-8 byte-order mark, so Excel reads accents (é, ñ) right. */
export const BOM = '\uFEFF';

export type Separator = ',' | ';';

/**
 * Excel opens a double-clicked CSV with the list separator of the computer's regional settings:
 * `;` where the decimal mark is a comma (Spanish locales, es-CO, es-ES) and `,` in English ones.
 * The export picks one per request (the page sends the user's language), and no cell depends on
 * a decimal mark or a date format: whole seconds and ISO 8601 dates with their offset.
 */
export function separatorFor(language: string | undefined): Separator {
  return /^(es|pt|fr|de|it)/i.test(language ?? '') ? ';' : ',';
}

/**
 * A cell, quoted when needed. Text starting with = + - @ is defused with a leading ' so a contact's
 * name cannot run a formula; a phone number (+573001234567) is only digits and stays as it is.
 */
export function cell(v: string | number | null | undefined, sep: Separator): string {
  if (v === null || v === undefined) return '';
  let s = String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s) && !/^\+\d{4,15}$/.test(s)) s = `'${s}`;
  return s.includes(sep) || /["\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

export function line(cells: (string | number | null | undefined)[], sep: Separator): string {
  return `${cells.map((c) => cell(c, sep)).join(sep)}\r\n`;
}

/** ISO 8601 in the portal's time zone, with its offset (2026-03-02T09:15:00-05:00), as luxon writes it. */
export function isoIn(d: Date | null, timeZone: string): string | null {
  return d ? DateTime.fromJSDate(d, { zone: timeZone }).toISO({ suppressMilliseconds: true }) : null;
}

const DAY_MS = 86_400_000;
type Span = { offsetMs: number; suffix: string } | null;

/**
 * `isoIn` for many instants of one zone (the export's 300,000 dates): luxon asks Intl for the offset
 * of every instant, which was most of the export's time. Here each UTC day is asked once, at its
 * first and last millisecond: the same offset at both means none in between (a zone never changes
 * its offset twice in a day), and a day whose offset changes, an instant with milliseconds or one
 * outside years 1000-9999 is left to luxon. The same text as `isoIn`.
 */
export function isoFormatter(timeZone: string): (d: Date | null) => string | null {
  const days = new Map<number, Span>();
  const spanOf = (day: number): Span => {
    const start = DateTime.fromMillis(day * DAY_MS, { zone: timeZone });
    const last = DateTime.fromMillis((day + 1) * DAY_MS - 1, { zone: timeZone });
    const iso = start.toISO({ suppressMilliseconds: true });
    if (!start.isValid || !iso || start.offset !== last.offset || start.year < 1000 || start.year > 9999) return null;
    return { offsetMs: start.offset * 60_000, suffix: iso.slice(19) };
  };
  return (d) => {
    if (!d) return null;
    const ms = d.getTime();
    if (ms % 1000 !== 0) return isoIn(d, timeZone);
    const day = Math.floor(ms / DAY_MS);
    let span = days.get(day);
    if (span === undefined) days.set(day, (span = spanOf(day)));
    return span ? new Date(ms + span.offsetMs).toISOString().slice(0, 19) + span.suffix : isoIn(d, timeZone);
  };
}

export const HEADER = [
  'conversation_id',
  'contact',
  'contact_phone',
  'number',
  'agent',
  'status',
  'label',
  'started',
  'first_response',
  'resolved',
  'first_response_seconds',
  'first_response_business_seconds',
  'resolution_seconds',
  'messages_in',
  'messages_out',
];
