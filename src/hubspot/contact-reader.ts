import type { CrmObject } from './client.js';
import type { HubSpotCore } from './core.js';
import { HubSpotApiError } from './errors.js';
import { CONTACT_PROPERTIES as P } from './properties.js';

const READ_PROPERTIES = ['firstname', 'lastname', 'phone', 'mobilephone', 'hubspot_owner_id', P.phoneE164, P.consent, P.optedOut];
const TTL_MS = 60_000;

interface Pending {
  resolve: (o: CrmObject | null) => void;
  reject: (e: Error) => void;
}

/**
 * Reads HubSpot contacts by id for routing and the card: concurrent reads of one portal are
 * coalesced into batch reads of up to 100 ids, and answers are cached for a minute.
 */
export class ContactReader {
  private readonly waiting = new Map<number, Map<string, Pending[]>>();
  private readonly scheduled = new Set<number>();
  private readonly cache = new Map<string, { at: number; obj: CrmObject | null }>();

  constructor(private readonly core: HubSpotCore) {}

  read(portalId: number, hubspotContactId: string): Promise<CrmObject | null> {
    const key = `${portalId}:${hubspotContactId}`;
    const hit = this.cache.get(key);
    if (hit && this.core.ctx.clock.now().getTime() - hit.at < TTL_MS) return Promise.resolve(hit.obj);
    return new Promise((resolve, reject) => {
      let m = this.waiting.get(portalId);
      if (!m) this.waiting.set(portalId, (m = new Map()));
      const list = m.get(hubspotContactId) ?? [];
      list.push({ resolve, reject });
      m.set(hubspotContactId, list);
      if (!this.scheduled.has(portalId)) {
        this.scheduled.add(portalId);
        setTimeout(() => void this.flush(portalId), 20);
      }
    });
  }

  private async flush(portalId: number): Promise<void> {
    this.scheduled.delete(portalId);
    const m = this.waiting.get(portalId);
    if (!m?.size) return;
    this.waiting.delete(portalId);
    const entries = [...m.entries()];
    for (let i = 0; i < entries.length; i += 100) {
      const chunk = entries.slice(i, i + 100);
      try {
        const res = await this.core.client(portalId).batchReadContacts(chunk.map(([id]) => id), READ_PROPERTIES);
        const byId = new Map((res.results ?? []).map((o) => [o.id, o]));
        for (const [id, list] of chunk) {
          const obj = byId.get(id) ?? null;
          this.cache.set(`${portalId}:${id}`, { at: this.core.ctx.clock.now().getTime(), obj });
          for (const w of list) w.resolve(obj);
        }
      } catch (err) {
        for (const [, list] of chunk) {
          for (const w of list) {
            if (err instanceof HubSpotApiError && err.status === 404) w.resolve(null);
            else w.reject(err as Error);
          }
        }
      }
    }
  }

  forget(portalId: number, hubspotContactId: string): void {
    this.cache.delete(`${portalId}:${hubspotContactId}`);
  }
}
