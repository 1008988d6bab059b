// HubSpot contact lists as campaign audiences (the 2026-03 Lists API, scope crm.lists.read): the list's
// members in pages of 250, then their properties in batch reads of 100 (HubSpot has no batch membership
// read with properties), every call through the portal's shared limiter.
import { AppError } from '../errors.js';
import type { ContactListInfo, ContactListMember } from '../seams.js';
import type { HubSpotList } from './client.js';
import type { HubSpotCore } from './core.js';
import { HubSpotApiError } from './errors.js';
import { CONTACT_PROPERTIES } from './properties.js';

const CONTACTS = '0-1';
const MEMBERSHIP_PAGE = 250;
const BATCH_READ = 100;
/** Where a contact's WhatsApp number can be, best first. */
const PHONE_PROPERTIES = [CONTACT_PROPERTIES.phoneE164, 'mobilephone', 'phone'];
/** Campaign audiences stop here (the campaigns domain refuses more anyway). */
export const MAX_LIST_MEMBERS = 50_000;

function info(l: HubSpotList): ContactListInfo {
  const size = l.size ?? (l.additionalProperties?.hs_list_size !== undefined ? Number(l.additionalProperties.hs_list_size) : null);
  return { listId: String(l.listId), name: l.name, size: size !== null && Number.isFinite(size) ? size : null, processingType: l.processingType };
}

/** HubSpot's refusals as the errors an admin can act on. */
function translate(err: unknown, listId?: string): unknown {
  if (!(err instanceof HubSpotApiError)) return err;
  if (err.status === 404 && listId !== undefined) return new AppError(404, 'LIST_NOT_FOUND', `HubSpot has no list ${listId} (deleted, or never existed)`);
  if (err.status === 403 && err.category === 'MISSING_SCOPES') {
    return new AppError(409, 'HUBSPOT_SCOPE_MISSING', 'The app may not read HubSpot lists yet: reinstall it from the marketplace listing to grant access to lists (crm.lists.read).');
  }
  return err;
}

export class ContactListReader {
  constructor(private readonly core: HubSpotCore) {}

  async search(portalId: number, query: string): Promise<ContactListInfo[]> {
    await this.core.assertConnected(portalId);
    try {
      const r = await this.core.client(portalId).searchLists({
        query: query.trim(),
        objectTypeId: CONTACTS,
        offset: 0,
        count: 50,
        processingTypes: ['MANUAL', 'DYNAMIC', 'SNAPSHOT'],
        listIds: [],
        additionalProperties: ['hs_list_size'],
      });
      return (r.lists ?? []).filter((l) => l.objectTypeId === CONTACTS).map(info);
    } catch (err) {
      throw translate(err);
    }
  }

  /** The list and its members with `properties`; members HubSpot no longer has are left out. */
  async read(
    portalId: number,
    listId: string,
    properties: string[],
    onProgress?: (read: number, total: number | null) => Promise<void> | void,
  ): Promise<{ list: ContactListInfo; members: ContactListMember[] }> {
    await this.core.assertConnected(portalId);
    const client = this.core.client(portalId);
    try {
      const raw = (await client.getList(listId)).list;
      const list = info(raw);
      if (raw.objectTypeId !== CONTACTS) throw new AppError(422, 'LIST_NOT_CONTACTS', `HubSpot list ${listId} ("${list.name}") is not a list of contacts`);
      const ids: string[] = [];
      let after: string | undefined;
      do {
        const page = await client.listMemberships(listId, after, MEMBERSHIP_PAGE);
        ids.push(...page.results.map((m) => String(m.recordId)));
        after = page.paging?.next?.after;
        if (ids.length > MAX_LIST_MEMBERS) throw new AppError(422, 'VALIDATION', `HubSpot list "${list.name}" has more than ${MAX_LIST_MEMBERS} contacts: split it`, { listId: 'too many members' });
        await onProgress?.(0, page.total ?? list.size);
      } while (after);
      const members: ContactListMember[] = [];
      for (let i = 0; i < ids.length; i += BATCH_READ) {
        const res = await client.batchReadContacts(ids.slice(i, i + BATCH_READ), [...new Set([...PHONE_PROPERTIES, ...properties])]);
        for (const o of res.results ?? []) {
          const props = o.properties ?? {};
          const phones = PHONE_PROPERTIES.map((p) => props[p]).filter((v): v is string => typeof v === 'string' && v.trim() !== '');
          members.push({ hubspotContactId: String(o.id), phones, properties: props });
        }
        await onProgress?.(Math.min(ids.length, i + BATCH_READ), ids.length);
      }
      // Batch reads answer in no particular order: keep the list's.
      const order = new Map(ids.map((id, i) => [id, i]));
      members.sort((a, b) => order.get(a.hubspotContactId)! - order.get(b.hubspotContactId)!);
      return { list, members };
    } catch (err) {
      throw translate(err, listId);
    }
  }
}
