import { z } from 'zod';
import { validation, zodDetails } from '../errors.js';
import { applyAutomation, automationInput, validateAutomation } from './automation.js';
import { FALLBACK_METHODS, ROUTING_METHODS, WEEKDAYS, type Settings, type Weekday } from './types.js';

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
/** Body limit of a WhatsApp interactive message; the consent notice plus its policy line must fit. */
export const CONSENT_BODY_MAX = 1024;

export function isTime(v: string): boolean {
  return TIME.test(v);
}

export function isDate(v: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) return false;
  const d = new Date(`${v}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v;
}

export function isTimeZone(v: string): boolean {
  if (!v) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: v });
    return true;
  } catch {
    return false;
  }
}

export function isHttpsUrl(v: string): boolean {
  try {
    const u = new URL(v);
    return u.protocol === 'https:' && !!u.hostname;
  } catch {
    return false;
  }
}

const method = z.enum(ROUTING_METHODS as [string, ...string[]], { message: 'Choose a routing method' });
const range = z.object({ from: z.string(), to: z.string() });

const weekly = z.object(Object.fromEntries(WEEKDAYS.map((d) => [d, z.array(range).max(12, 'At most 12 ranges a day')])) as Record<
  Weekday,
  z.ZodArray<typeof range>
>);

/** The PUT body: a full replace. `consent.version` is ignored; fields marked [addition] may be absent (kept). */
export const settingsInput = z.object({
  consent: z.object({
    text: z.object({ es: z.string(), en: z.string() }),
    policyUrl: z.string(),
    version: z.number().optional(),
    language: z.enum(['es', 'en'], { message: 'Choose es or en' }),
  }),
  routing: z.object({
    method,
    perNumber: z.record(z.string(), z.string()).default({}),
    lastAgentDays: z.number().int('Whole days').min(1, 'At least 1 day').max(365, 'At most 365 days').optional(),
    fallback: z.enum(FALLBACK_METHODS as [string, ...string[]], { message: 'round_robin, least_open or number_pool' }).optional(),
  }),
  businessHours: z.object({
    timeZone: z.string(),
    weekly,
    holidays: z.array(z.string()).max(366, 'At most 366 holidays'),
  }),
  resolutionLabels: z.array(z.string()).max(50, 'At most 50 labels'),
  autoClose: z.object({ enabled: z.boolean(), at: z.string().optional().nullable() }),
  quickReplies: z
    .array(z.object({ id: z.string().optional().default(''), phoneNumberId: z.string().nullable().optional().default(null), title: z.string(), text: z.string() }))
    .max(200, 'At most 200 quick replies'),
  optOutKeywords: z.array(z.string()).max(30, 'At most 30 keywords'),
  optInKeywords: z.array(z.string()).max(30, 'At most 30 keywords').optional(),
  windowAlertMinutes: z.number(),
  ...automationInput,
});
export type SettingsInput = z.infer<typeof settingsInput>;

export const policyLine = (lang: 'es' | 'en', url: string): string =>
  url ? (lang === 'es' ? `Política de tratamiento de datos: ${url}` : `Privacy policy: ${url}`) : '';

/**
 * Structure (zod) then meaning; throws VALIDATION with every problem keyed by its dotted path.
 * `knownNumbers` are the portal's phone_number_ids (for routing.perNumber and quickReplies).
 */
export function validateSettingsInput(body: unknown, knownNumbers: Set<string>): SettingsInput {
  const parsed = settingsInput.safeParse(body);
  if (!parsed.success) {
    const details = zodDetails(parsed.error);
    throw validation(`Some settings are not valid: ${Object.keys(details).join(', ')}`, details);
  }
  const s = parsed.data;
  const e: Record<string, string> = {};

  checkConsent(s, e);
  checkRouting(s, knownNumbers, e);
  checkBusinessHours(s, e);
  checkLabels(s, e);
  checkQuickReplies(s, knownNumbers, e);
  checkKeywords(s, e);
  if (s.autoClose.at !== undefined && s.autoClose.at !== null && s.autoClose.at !== '' && !isTime(s.autoClose.at)) {
    e['autoClose.at'] = 'Use HH:MM, or leave empty for the end of business hours';
  }

  if (!Number.isInteger(s.windowAlertMinutes) || s.windowAlertMinutes < 1 || s.windowAlertMinutes > 1440) {
    e.windowAlertMinutes = 'Whole minutes between 1 and 1440';
  }


  validateAutomation(s, knownNumbers, e);

  if (Object.keys(e).length) throw validation(`Some settings are not valid: ${Object.keys(e).join(', ')}`, e);
  return s;
}

type Problems = Record<string, string>;

function checkConsent(s: SettingsInput, e: Problems): void {
  const url = s.consent.policyUrl.trim();
  if (!url) e['consent.policyUrl'] = 'Required';
  else if (!isHttpsUrl(url)) e['consent.policyUrl'] = 'Must be an https:// link';
  for (const lang of ['es', 'en'] as const) {
    const t = s.consent.text[lang].trim();
    const room = CONSENT_BODY_MAX - (url ? policyLine(lang, url).length + 2 : 0);
    if (!t) e[`consent.text.${lang}`] = 'Required';
    else if (t.length > room) e[`consent.text.${lang}`] = `At most ${room} characters with the policy link (${t.length} now)`;
  }
}

function checkRouting(s: SettingsInput, knownNumbers: Set<string>, e: Problems): void {
  for (const [id, m] of Object.entries(s.routing.perNumber)) {
    if (!(ROUTING_METHODS as string[]).includes(m)) e[`routing.perNumber.${id}`] = 'Choose a routing method';
    else if (!knownNumbers.has(id)) e[`routing.perNumber.${id}`] = 'Not a WhatsApp number of this account';
  }
}

function checkBusinessHours(s: SettingsInput, e: Problems): void {
  if (!isTimeZone(s.businessHours.timeZone)) e['businessHours.timeZone'] = 'Not a known time zone (e.g. America/Bogota)';
  for (const day of WEEKDAYS) {
    const ranges = s.businessHours.weekly[day];
    ranges.forEach((r, i) => {
      const p = `businessHours.weekly.${day}.${i}`;
      if (!isTime(r.from)) e[`${p}.from`] = 'Use HH:MM, e.g. 09:00';
      if (!isTime(r.to)) e[`${p}.to`] = 'Use HH:MM, e.g. 18:00';
      if (isTime(r.from) && isTime(r.to) && r.to <= r.from) e[`${p}.to`] = `must be after ${r.from}`;
      const prev = ranges[i - 1];
      if (prev && isTime(r.from) && isTime(prev.to) && r.from < prev.to) e[`${p}.from`] = `Overlaps the previous range (ends ${prev.to})`;
    });
  }
  const seenHolidays = new Set<string>();
  s.businessHours.holidays.forEach((h, i) => {
    if (!isDate(h)) e[`businessHours.holidays.${i}`] = 'Use YYYY-MM-DD';
    else if (seenHolidays.has(h)) e[`businessHours.holidays.${i}`] = 'Listed twice';
    seenHolidays.add(h);
  });
}

function checkLabels(s: SettingsInput, e: Problems): void {
  if (s.resolutionLabels.length === 0) e.resolutionLabels = 'Add at least one label: resolving requires one';
  const seenLabels = new Set<string>();
  s.resolutionLabels.forEach((l, i) => {
    const k = l.trim().toLowerCase();
    if (!k) e[`resolutionLabels.${i}`] = 'Required';
    else if (l.trim().length > 100) e[`resolutionLabels.${i}`] = 'At most 100 characters';
    else if (seenLabels.has(k)) e[`resolutionLabels.${i}`] = 'Listed twice';
    else if (k.startsWith('system:')) e[`resolutionLabels.${i}`] = 'Labels starting with "System:" are reserved';
    seenLabels.add(k);
  });
}

function checkQuickReplies(s: SettingsInput, knownNumbers: Set<string>, e: Problems): void {
  s.quickReplies.forEach((q, i) => {
    if (!q.title.trim()) e[`quickReplies.${i}.title`] = 'Required';
    else if (q.title.length > 60) e[`quickReplies.${i}.title`] = 'At most 60 characters';
    if (!q.text.trim()) e[`quickReplies.${i}.text`] = 'Required';
    else if (q.text.length > 4096) e[`quickReplies.${i}.text`] = 'At most 4096 characters';
    if (q.phoneNumberId && !knownNumbers.has(q.phoneNumberId)) e[`quickReplies.${i}.phoneNumberId`] = 'Not a WhatsApp number of this account';
  });
}

function checkKeywords(s: SettingsInput, e: Problems): void {
  const keywordCheck = (field: 'optOutKeywords' | 'optInKeywords', list: string[]) => {
    const seen = new Set<string>();
    list.forEach((k, i) => {
      const n = k.trim();
      if (!n) e[`${field}.${i}`] = 'Required';
      else if (n.length > 40) e[`${field}.${i}`] = 'At most 40 characters';
      else if (seen.has(n.toUpperCase())) e[`${field}.${i}`] = 'Listed twice';
      seen.add(n.toUpperCase());
    });
  };
  if (s.optOutKeywords.length === 0) e.optOutKeywords = 'Add at least one opt-out keyword, e.g. STOP';
  keywordCheck('optOutKeywords', s.optOutKeywords);
  if (s.optInKeywords) {
    keywordCheck('optInKeywords', s.optInKeywords);
    const outs = new Set(s.optOutKeywords.map((k) => k.trim().toUpperCase()));
    const both = s.optInKeywords.filter((k) => outs.has(k.trim().toUpperCase()));
    if (both.length) e.optInKeywords = `Also an opt-out keyword: ${both.join(', ')}`;
  }
}

/** The stored document from a validated PUT body and the current settings (version, ids, kept additions). */
export function applySettingsInput(current: Settings, s: SettingsInput, newId: () => string): Settings {
  const textChanged = s.consent.text.es.trim() !== current.consent.text.es.trim() || s.consent.text.en.trim() !== current.consent.text.en.trim();
  const existingIds = new Set(current.quickReplies.map((q) => q.id));
  const at = s.autoClose.at && s.autoClose.at !== '' ? s.autoClose.at : undefined;
  return {
    consent: {
      text: { es: s.consent.text.es.trim(), en: s.consent.text.en.trim() },
      policyUrl: s.consent.policyUrl.trim(),
      version: current.consent.version + (textChanged ? 1 : 0),
      language: s.consent.language,
    },
    routing: {
      method: s.routing.method as Settings['routing']['method'],
      perNumber: s.routing.perNumber as Settings['routing']['perNumber'],
      lastAgentDays: s.routing.lastAgentDays ?? current.routing.lastAgentDays,
      fallback: (s.routing.fallback as Settings['routing']['fallback'] | undefined) ?? current.routing.fallback,
    },
    businessHours: {
      timeZone: s.businessHours.timeZone,
      weekly: s.businessHours.weekly as Settings['businessHours']['weekly'],
      holidays: [...s.businessHours.holidays].sort(),
    },
    resolutionLabels: s.resolutionLabels.map((l) => l.trim()),
    autoClose: at ? { enabled: s.autoClose.enabled, at } : { enabled: s.autoClose.enabled },
    quickReplies: s.quickReplies.map((q) => ({
      id: q.id && existingIds.has(q.id) ? q.id : newId(),
      phoneNumberId: q.phoneNumberId ?? null,
      title: q.title.trim(),
      text: q.text,
    })),
    optOutKeywords: s.optOutKeywords.map((k) => k.trim()),
    optInKeywords: (s.optInKeywords ?? current.optInKeywords).map((k) => k.trim()),
    windowAlertMinutes: s.windowAlertMinutes,
    ...applyAutomation(current, s),
  };
}
