import type { CrmObject, HubSpotClient } from './client.js';
import { mapLimit } from './concurrency.js';
import { HubSpotApiError } from './errors.js';
import { matchStoredPhone, splitProfileName, toE164, type PhoneIdentity } from './phone.js';
import { CONTACT_PROPERTIES as P } from './properties.js';

/** The rules that match a WhatsApp contact to HubSpot contacts: what to search, how to score, what to write. */

export interface LocalContact {
  id: number;
  wa_id: string | null;
  bsuid: string | null;
  phone_e164: string | null;
  profile_name: string | null;
  hubspot_contact_id: string | null;
}

export interface Target {
  contact: LocalContact;
  phone: PhoneIdentity | null;
  bsuid: string | null;
}

/** HubSpot's IN filter takes at most 100 values; one search asks for many numbers at once. */
const MAX_IN_VALUES = 100;
const SEARCH_PAGE = 200;
const SEARCH_PROPERTIES = ['phone', 'mobilephone', 'firstname', 'lastname', 'createdate'];
const CALC_PHONE = 'hs_searchable_calculated_phone_number';
const CALC_MOBILE = 'hs_searchable_calculated_mobile_number';

/** 5: our own property or WhatsApp user id; 3: the whole number in phone/mobile; 1: the national part only. */
export function score(t: Target, o: CrmObject): number {
  const p = o.properties ?? {};
  if (t.phone && p[P.phoneE164] && t.phone.e164Variants.includes(String(p[P.phoneE164]))) return 5;
  if (t.bsuid && p[P.bsuid] && String(p[P.bsuid]).toLowerCase() === t.bsuid.toLowerCase()) return 5;
  if (!t.phone) return 0;
  const best = Math.max(matchStoredPhone(t.phone, p.mobilephone), matchStoredPhone(t.phone, p.phone));
  return best === 2 ? 3 : best === 1 ? 1 : 0;
}

/** The best unused candidate; ties go to the oldest HubSpot contact. */
export function bestMatch(t: Target, candidates: CrmObject[], usable: (o: CrmObject) => boolean): CrmObject | undefined {
  return candidates
    .filter(usable)
    .map((o) => ({ o, score: score(t, o) }))
    .filter((x) => x.score > 0)
    .sort((a, b) => b.score - a.score || Number(a.o.id) - Number(b.o.id))[0]?.o;
}

/** What a matched contact lacks: an empty name from the WhatsApp profile, and our WhatsApp properties. */
export function fillFor(t: Target, o: CrmObject, ready: boolean): Record<string, string> {
  const props: Record<string, string> = {};
  const name = splitProfileName(t.contact.profile_name);
  if (!o.properties.firstname && name.first) props.firstname = name.first;
  if (!o.properties.lastname && name.last) props.lastname = name.last;
  if (ready) {
    if (t.phone && o.properties[P.phoneE164] !== t.phone.e164) props[P.phoneE164] = t.phone.e164;
    if (t.contact.wa_id && !o.properties[P.waId]) props[P.waId] = t.contact.wa_id;
    if (t.bsuid && !o.properties[P.bsuid]) props[P.bsuid] = t.bsuid;
  }
  return props;
}

/** The properties of a contact created for a target nobody in HubSpot has. */
export function createInput(t: Target, ready: boolean): { properties: Record<string, string> } {
  const props: Record<string, string> = {};
  const name = splitProfileName(t.contact.profile_name);
  if (name.first) props.firstname = name.first;
  if (name.last) props.lastname = name.last;
  if (t.phone) props.phone = t.phone.e164;
  if (ready) {
    if (t.phone) props[P.phoneE164] = t.phone.e164;
    if (t.contact.wa_id) props[P.waId] = t.contact.wa_id;
    if (t.bsuid) props[P.bsuid] = t.bsuid;
  }
  return { properties: props };
}

export function keyOf(t: Target): string {
  return t.phone ? `p:${t.phone.e164}` : `b:${(t.bsuid ?? '').toLowerCase()}`;
}

/** The key of a created contact as HubSpot returns it (batch results are not in input order). */
export function keyOfCreated(p: Record<string, unknown>, ready: boolean): string | null {
  const e = (ready ? (p[P.phoneE164] as string | undefined) : null) ?? (p.phone ? toE164(String(p.phone)) : null);
  return e ? `p:${e}` : p[P.bsuid] ? `b:${String(p[P.bsuid]).toLowerCase()}` : null;
}

/** Without our properties a created contact is recognised by its phone; bsuid-only ones go one per call. */
export function createChunks(targets: Target[], ready: boolean): Target[][] {
  if (ready) return [targets];
  const withPhone = targets.filter((t) => t.phone);
  return [...(withPhone.length ? [withPhone] : []), ...targets.filter((t) => !t.phone).map((t) => [t])];
}

/** Targets grouped so no IN filter of one search exceeds 100 values. */
function searchChunks(targets: Target[]): Target[][] {
  const chunks: Target[][] = [];
  let cur: Target[] = [];
  let n = { nat: 0, full: 0, e164: 0 };
  for (const t of targets) {
    const add = { nat: t.phone?.nationals.length ?? 0, full: t.phone?.fullDigits.length ?? 0, e164: t.phone?.e164Variants.length ?? 0 };
    if (cur.length && (n.nat + add.nat > MAX_IN_VALUES || n.full + add.full > MAX_IN_VALUES || n.e164 + add.e164 > MAX_IN_VALUES || cur.length >= MAX_IN_VALUES)) {
      chunks.push(cur);
      cur = [];
      n = { nat: 0, full: 0, e164: 0 };
    }
    cur.push(t);
    n = { nat: n.nat + add.nat, full: n.full + add.full, e164: n.e164 + add.e164 };
  }
  if (cur.length) chunks.push(cur);
  return chunks;
}

/**
 * National numbers and full digits against both searchable phone properties, and E.164 against our
 * wa_phone_e164: five filter groups, HubSpot's maximum.
 */
function filterGroups(chunk: Target[], ready: boolean): object[] {
  const uniq = (xs: Array<string | null | undefined>) => [...new Set(xs.filter((x): x is string => Boolean(x)))];
  const nationals = uniq(chunk.flatMap((t) => t.phone?.nationals ?? []));
  const full = uniq(chunk.flatMap((t) => t.phone?.fullDigits ?? []));
  const e164s = uniq(chunk.flatMap((t) => t.phone?.e164Variants ?? []));
  const bsuids = uniq(chunk.map((t) => t.bsuid?.toLowerCase()));
  const inFilter = (propertyName: string, values: string[]) => ({ filters: [{ propertyName, operator: 'IN', values }] });
  const groups: object[] = [];
  if (nationals.length) groups.push(inFilter(CALC_PHONE, nationals), inFilter(CALC_MOBILE, nationals));
  if (full.length) groups.push(inFilter(CALC_PHONE, full));
  // The fifth and last group: the mobile field's full digits, or the WhatsApp user ids when some have no number.
  if (ready && bsuids.length) groups.push(inFilter(P.bsuid, bsuids));
  else if (full.length) groups.push(inFilter(CALC_MOBILE, full));
  if (ready && e164s.length) groups.push(inFilter(P.phoneE164, e164s));
  return groups;
}

export class OurPropertiesGoneError extends Error {}

/**
 * One search per chunk of numbers; chunks are searched concurrently and the limiter paces them.
 * Throws OurPropertiesGoneError when HubSpot refuses a search on our properties (an admin deleted them).
 */
export async function searchCandidates(client: HubSpotClient, targets: Target[], ready: boolean): Promise<Map<number, CrmObject[]>> {
  const chunks = searchChunks(targets);
  const properties = [...SEARCH_PROPERTIES, ...(ready ? [P.phoneE164, P.waId, P.bsuid] : [])];
  const found = await mapLimit(chunks, 4, async (chunk) => {
    const groups = filterGroups(chunk, ready);
    const results: CrmObject[] = [];
    if (!groups.length) return results;
    let after: string | undefined;
    for (let page = 0; page < 20; page++) {
      let r;
      try {
        r = await client.searchContacts({ filterGroups: groups, properties, limit: SEARCH_PAGE, ...(after ? { after } : {}) });
      } catch (err) {
        if (err instanceof HubSpotApiError && err.status === 400 && ready && /wa_/.test(err.message)) throw new OurPropertiesGoneError(err.message);
        throw err;
      }
      results.push(...r.results);
      after = r.paging?.next?.after;
      if (!after) break;
    }
    return results;
  });
  const out = new Map<number, CrmObject[]>();
  chunks.forEach((chunk, i) => {
    for (const t of chunk) {
      const mine = found[i]!.filter((o) => score(t, o) > 0);
      if (mine.length) out.set(t.contact.id, mine);
    }
  });
  return out;
}
