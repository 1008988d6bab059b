// A HubSpot list as a campaign audience: the admin gives the placeholder values once, where
// `{{property}}` takes each contact's own value (`Hola {{firstname}}`). The values are checked when the
// audience is asked for (422 naming `parameters.N`); a member that cannot be sent to — no phone, no
// valid phone, an empty or refused value — stays in the audience as skipped with its code, because a
// list is HubSpot data the admin cannot fix row by row as in a CSV.
import { validation } from '../errors.js';
import type { ContactListMember } from '../seams.js';
import { checkTemplateParameters, headerMediaFormat, placeholdersOf, type TemplateDefinition } from '../templates/placeholders.js';
import { countryOf, validPhone, type AudienceRow, type AudienceSkip } from './audience.js';

export interface ListSpec {
  /** One value per placeholder, in send order; `{{property}}` is replaced by the member's property. */
  parameters: string[];
  /** The same media header for every member, when the template has one. */
  headerMediaUrl?: string | null;
}

const TOKEN = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

/** The contact properties the values name (lower case, as HubSpot names them). */
export function listProperties(spec: ListSpec): string[] {
  const out = new Set<string>();
  for (const p of spec.parameters) for (const m of p.matchAll(TOKEN)) out.add(m[1]!.toLowerCase());
  return [...out];
}

const fill = (p: string, props: Record<string, string | null>) => p.replace(TOKEN, (_m, name: string) => (props[name.toLowerCase()] ?? '').trim());

/** 422 before any HubSpot call: the count of values, the fixed text around the tokens, the media URL. */
export function checkListSpec(spec: ListSpec, t: TemplateDefinition): void {
  const details: Record<string, string> = {};
  const count = placeholdersOf(t.components).length;
  if (spec.parameters.length !== count) details.parameters = `template ${t.name} (${t.language}) needs ${count} value${count === 1 ? '' : 's'}, got ${spec.parameters.length}`;
  else {
    try {
      // A stand-in for every property: what is left to check is the admin's own text.
      checkTemplateParameters(t, spec.parameters.map((p) => p.replace(TOKEN, 'x')));
    } catch (err) {
      Object.assign(details, (err as { details?: Record<string, string> }).details ?? {});
    }
  }
  const media = headerMediaFormat(t.components);
  const needsUrl = media !== null && ['IMAGE', 'VIDEO', 'DOCUMENT'].includes(media);
  if (needsUrl && !/^https:\/\/\S+$/.test(spec.headerMediaUrl ?? '')) details.headerMediaUrl = `the template's ${media!.toLowerCase()} header needs a https URL`;
  if (!needsUrl && spec.headerMediaUrl) details.headerMediaUrl = 'the template has no media header';
  const keys = Object.keys(details);
  if (keys.length) throw validation(`${keys[0]}: ${details[keys[0]!]}`, details);
}

function phoneOf(m: ContactListMember, country: ReturnType<typeof countryOf>): { e164: string | null; skip: AudienceSkip | null } {
  const given = m.phones.filter((p) => typeof p === 'string' && p.trim() !== '');
  if (!given.length) return { e164: null, skip: 'NO_PHONE' };
  for (const p of given) {
    const e164 = validPhone(p, country);
    if (e164) return { e164, skip: null };
  }
  return { e164: null, skip: 'INVALID_PHONE' };
}

/** Every member as an audience row (list order); members that cannot be sent to carry their skip code. */
export function audienceFromList(
  members: ContactListMember[],
  spec: ListSpec,
  t: TemplateDefinition,
  sendingNumber: string | null,
): { rows: AudienceRow[]; excluded: Partial<Record<AudienceSkip, number>> } {
  const country = countryOf(sendingNumber);
  const seen = new Map<string, number>();
  const excluded: Partial<Record<AudienceSkip, number>> = {};
  const rows = members.map((m, i): AudienceRow => {
    const phone = phoneOf(m, country);
    const parameters = spec.parameters.map((p) => fill(p, m.properties));
    let skip = phone.skip;
    if (!skip) {
      try {
        checkTemplateParameters(t, parameters);
      } catch {
        skip = 'INVALID_VALUES';
      }
    }
    if (skip) excluded[skip] = (excluded[skip] ?? 0) + 1;
    const first = phone.e164 && !skip ? seen.get(phone.e164) : undefined;
    if (phone.e164 && !skip && first === undefined) seen.set(phone.e164, i);
    return {
      rowNumber: i,
      phoneE164: phone.e164,
      parameters,
      headerMediaUrl: spec.headerMediaUrl ?? null,
      duplicateOf: first ?? null,
      hubspotContactId: m.hubspotContactId,
      skip,
    };
  });
  return { rows, excluded };
}
