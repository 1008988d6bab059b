// Client-side checks. Keys are dotted paths into the request body, the same as the backend's
// VALIDATION `details`, so both kinds of message land next to the same field.
import { WEEKDAYS, type Agent, type ConnectNumberInput, type RoutingMethod, type Settings } from './types';

export type Errors = Record<string, string>;

export const ROUTING_METHODS: { value: RoutingMethod; label: string }[] = [
  { value: 'round_robin', label: 'Round robin: available agents in turn (1, 2, 3, 1, …)' },
  { value: 'contact_owner', label: 'Contact owner first: the HubSpot contact owner, when available' },
  { value: 'least_open', label: 'Least busy: the available agent with the fewest open conversations' },
  { value: 'last_agent', label: 'Last agent: whoever last talked to this customer, when available' },
  { value: 'number_pool', label: "Per number: the agents of the number the customer wrote to" },
];

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
export const CONSENT_MAX = 1024; // body limit of a WhatsApp button message

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

export function validateSettings(s: Settings): Errors {
  const e: Errors = {};
  for (const lang of ['es', 'en'] as const) {
    const t = s.consent.text[lang].trim();
    if (!t) e[`consent.text.${lang}`] = 'Required';
    else if (t.length > CONSENT_MAX) e[`consent.text.${lang}`] = `At most ${CONSENT_MAX} characters (${t.length} now)`;
  }
  if (!s.consent.policyUrl.trim()) e['consent.policyUrl'] = 'Required';
  else if (!isHttpsUrl(s.consent.policyUrl.trim())) e['consent.policyUrl'] = 'Must be an https:// link';

  const methods = ROUTING_METHODS.map((m) => m.value);
  if (!methods.includes(s.routing.method)) e['routing.method'] = 'Choose a routing method';
  if (s.routing.fallback !== undefined && !['round_robin', 'least_open', 'number_pool'].includes(s.routing.fallback))
    e['routing.fallback'] = 'Choose round robin, least busy or per number';
  if (
    s.routing.lastAgentDays !== undefined &&
    (!Number.isInteger(s.routing.lastAgentDays) || s.routing.lastAgentDays < 1 || s.routing.lastAgentDays > 365)
  )
    e['routing.lastAgentDays'] = 'Whole days between 1 and 365';
  for (const [id, m] of Object.entries(s.routing.perNumber)) {
    if (!methods.includes(m)) e[`routing.perNumber.${id}`] = 'Choose a routing method';
  }

  if (!isTimeZone(s.businessHours.timeZone)) e['businessHours.timeZone'] = 'Not a known time zone (e.g. America/Bogota)';
  for (const day of WEEKDAYS) {
    const ranges = s.businessHours.weekly[day] ?? [];
    ranges.forEach((r, i) => {
      const p = `businessHours.weekly.${day}.${i}`;
      if (!isTime(r.from)) e[`${p}.from`] = 'Use HH:MM, e.g. 09:00';
      if (!isTime(r.to)) e[`${p}.to`] = 'Use HH:MM, e.g. 18:00';
      if (isTime(r.from) && isTime(r.to) && r.to <= r.from) e[`${p}.to`] = `Must be after ${r.from}`;
      if (i > 0 && isTime(r.from) && isTime(ranges[i - 1].to) && r.from < ranges[i - 1].to)
        e[`${p}.from`] = `Overlaps the previous range (ends ${ranges[i - 1].to})`;
    });
  }
  const seenHolidays = new Set<string>();
  s.businessHours.holidays.forEach((h, i) => {
    if (!isDate(h)) e[`businessHours.holidays.${i}`] = 'Use YYYY-MM-DD';
    else if (seenHolidays.has(h)) e[`businessHours.holidays.${i}`] = 'Listed twice';
    seenHolidays.add(h);
  });

  if (s.resolutionLabels.length === 0) e.resolutionLabels = 'Add at least one label: resolving requires one';
  const seenLabels = new Set<string>();
  s.resolutionLabels.forEach((l, i) => {
    const k = l.trim().toLowerCase();
    if (!k) e[`resolutionLabels.${i}`] = 'Required';
    else if (seenLabels.has(k)) e[`resolutionLabels.${i}`] = 'Listed twice';
    seenLabels.add(k);
  });

  if (s.autoClose.at !== undefined && s.autoClose.at !== '' && !isTime(s.autoClose.at))
    e['autoClose.at'] = 'Use HH:MM, or leave empty for the end of business hours';

  s.quickReplies.forEach((q, i) => {
    if (!q.title.trim()) e[`quickReplies.${i}.title`] = 'Required';
    else if (q.title.length > 60) e[`quickReplies.${i}.title`] = 'At most 60 characters';
    if (!q.text.trim()) e[`quickReplies.${i}.text`] = 'Required';
    else if (q.text.length > 4096) e[`quickReplies.${i}.text`] = 'At most 4096 characters';
  });

  if (s.optOutKeywords.length === 0) e.optOutKeywords = 'Add at least one opt-out keyword, e.g. STOP';
  const outs = new Set(s.optOutKeywords.map((k) => k.toUpperCase()));
  const both = s.optInKeywords.filter((k) => outs.has(k.toUpperCase()));
  if (both.length) e.optInKeywords = `Also an opt-out keyword: ${both.join(', ')}`;

  if (!Number.isInteger(s.windowAlertMinutes) || s.windowAlertMinutes < 1 || s.windowAlertMinutes > 1440)
    e.windowAlertMinutes = 'Whole minutes between 1 and 1440';
  return e;
}

export function validateNumber(n: ConnectNumberInput): Errors {
  const e: Errors = {};
  if (!n.label.trim()) e.label = 'Required, e.g. Customer Support';
  else if (n.label.trim().length > 60) e.label = 'At most 60 characters';
  if (!/^\d{5,20}$/.test(n.phoneNumberId.trim())) e.phoneNumberId = "Digits only: the number's ID from Meta's WhatsApp Manager";
  if (!/^\d{5,20}$/.test(n.wabaId.trim())) e.wabaId = 'Digits only: the WhatsApp Business Account ID';
  if (!n.accessToken.trim()) e.accessToken = 'Required: a permanent system-user token';
  return e;
}

export function validateAgents(agents: Agent[]): Errors {
  const e: Errors = {};
  const seen = new Set<string>();
  agents.forEach((a, i) => {
    if (seen.has(a.ownerId)) e[`agents.${i}.ownerId`] = 'This owner is listed twice';
    seen.add(a.ownerId);
    a.outOfOffice.forEach((p, j) => {
      const k = `agents.${i}.outOfOffice.${j}`;
      if (!isDate(p.from)) e[`${k}.from`] = 'Use YYYY-MM-DD';
      if (!isDate(p.to)) e[`${k}.to`] = 'Use YYYY-MM-DD';
      if (isDate(p.from) && isDate(p.to) && p.to < p.from) e[`${k}.to`] = 'Must be on or after the start';
    });
  });
  return e;
}

export function oooPeriodError(from: string, to: string): string | null {
  if (!isDate(from) || !isDate(to)) return 'Use YYYY-MM-DD for both dates';
  if (to < from) return 'The end must be on or after the start';
  return null;
}
