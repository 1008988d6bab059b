import type { CrmObject } from './client.js';
import { mapLimit } from './concurrency.js';
import type { HubSpotCore } from './core.js';
import { HubSpotApiError, HubSpotInDoubtError, PortalNotConnectedError } from './errors.js';
import { matchStoredPhone, phoneIdentity, splitProfileName, toE164, type PhoneIdentity } from './phone.js';
import { CONTACT_PROPERTIES as P } from './properties.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

interface LocalContact {
  id: number;
  wa_id: string | null;
  bsuid: string | null;
  phone_e164: string | null;
  profile_name: string | null;
  hubspot_contact_id: string | null;
}

interface Target {
  contact: LocalContact;
  phone: PhoneIdentity | null;
  bsuid: string | null;
}

type Outcome = string | Error;

interface Waiter {
  resolve: (v: string) => void;
  reject: (e: Error) => void;
}

/** HubSpot's IN filter takes at most 100 values; one search asks for many numbers at once. */
const MAX_IN_VALUES = 100;
const MAX_BATCH = 100;
const SEARCH_PAGE = 200;
const SEARCH_PROPERTIES = ['phone', 'mobilephone', 'firstname', 'lastname', 'createdate'];
const CALC_PHONE = 'hs_searchable_calculated_phone_number';
const CALC_MOBILE = 'hs_searchable_calculated_mobile_number';

export class ContactNotFoundError extends Error {}

/**
 * Links local WhatsApp contacts to HubSpot contacts: our database first, then one HubSpot search
 * for many numbers (phone and mobile phone, national number and its known variants, our own
 * wa_phone_e164), then one batch create for the numbers nobody has. Callers in this process are
 * coalesced per portal; across instances a lease row per contact makes one of them do the work.
 */
export class IdentityResolver {
  private readonly waiting = new Map<number, Map<number, Waiter[]>>();
  private readonly flushing = new Set<number>();
  private readonly leaseMs = 60_000;
  /** Contacts whose last resolution failed: not retried by look-ahead callers until the backoff ends. */
  private readonly failures = new Map<string, { count: number; until: number }>();
  /** HubSpot contacts found gone (deleted, merged away): never re-linked while search may still show them. */
  private readonly gone = new Map<string, number>();

  constructor(
    private readonly core: HubSpotCore,
    private readonly opts: { coalesceMs?: number; inDoubtHoldMs?: number } = {},
  ) {}

  private get ctx() {
    return this.core.ctx;
  }

  /** The app's clock (ctx.clock), the same one the leases use. */
  private nowMs(): number {
    return this.ctx.clock.now().getTime();
  }

  /** The HubSpot contact id of a local contact; created in HubSpot when none matches. */
  ensure(portalId: number, contactId: number): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      let byContact = this.waiting.get(portalId);
      if (!byContact) this.waiting.set(portalId, (byContact = new Map()));
      const list = byContact.get(contactId) ?? [];
      list.push({ resolve, reject });
      byContact.set(contactId, list);
      this.schedule(portalId);
    });
  }

  /** True while a contact's last failure is in its backoff (30 s, doubling, at most 10 min). */
  backedOff(portalId: number, contactId: number): boolean {
    return (this.failures.get(`${portalId}:${contactId}`)?.until ?? 0) > this.nowMs();
  }

  private noteOutcome(portalId: number, contactId: number, o: Outcome): void {
    const key = `${portalId}:${contactId}`;
    if (typeof o === 'string' || o instanceof PortalNotConnectedError) {
      this.failures.delete(key);
      return;
    }
    const count = (this.failures.get(key)?.count ?? 0) + 1;
    this.failures.set(key, { count, until: this.nowMs() + Math.min(30_000 * 2 ** (count - 1), 600_000) });
    if (this.failures.size > 50_000) for (const [k, f] of this.failures) if (f.until < this.nowMs()) this.failures.delete(k);
  }

  /** Many at once (settles every one; errors per contact). */
  async ensureMany(portalId: number, contactIds: number[]): Promise<Map<number, Outcome>> {
    const ids = [...new Set(contactIds)];
    const settled = await Promise.allSettled(ids.map((id) => this.ensure(portalId, id)));
    return new Map(ids.map((id, i) => [id, settled[i]!.status === 'fulfilled' ? (settled[i] as PromiseFulfilledResult<string>).value : (settled[i] as PromiseRejectedResult).reason]));
  }

  /** HubSpot contacts that no longer exist (deleted or merged away): forget the link so the next use re-resolves. */
  async unlink(portalId: number, hubspotContactIds: string[]): Promise<number> {
    if (!hubspotContactIds.length) return 0;
    const r = await this.ctx.db.query(
      `UPDATE contacts SET hubspot_contact_id = NULL, updated_at = now() WHERE portal_id = $1 AND hubspot_contact_id = ANY($2::text[])`,
      [portalId, hubspotContactIds],
    );
    const until = this.nowMs() + 10 * 60_000;
    for (const id of hubspotContactIds) this.gone.set(`${portalId}:${id}`, until);
    if (this.gone.size > 10_000) for (const [k, t] of this.gone) if (t < this.nowMs()) this.gone.delete(k);
    if (r.rowCount) this.ctx.logger.info({ portalId, count: r.rowCount }, 'hubspot contacts gone; links cleared for re-resolution');
    return r.rowCount ?? 0;
  }

  private schedule(portalId: number): void {
    if (this.flushing.has(portalId)) return; // the running flush takes the newcomers in its next round
    this.flushing.add(portalId);
    setTimeout(() => void this.flush(portalId), this.opts.coalesceMs ?? 20);
  }

  private async flush(portalId: number): Promise<void> {
    try {
      for (;;) {
        const byContact = this.waiting.get(portalId);
        if (!byContact || byContact.size === 0) break;
        const ids = [...byContact.keys()].slice(0, 1000);
        const waiters = ids.map((id) => [id, byContact.get(id)!] as const);
        for (const id of ids) byContact.delete(id);
        let outcomes: Map<number, Outcome>;
        try {
          outcomes = await this.resolve(portalId, ids);
        } catch (err) {
          outcomes = new Map(ids.map((id) => [id, err as Error]));
        }
        for (const [id, list] of waiters) {
          const o = outcomes.get(id) ?? new Error('not resolved');
          this.noteOutcome(portalId, id, o);
          for (const w of list) (typeof o === 'string' ? w.resolve(o) : w.reject(o));
        }
      }
    } finally {
      this.flushing.delete(portalId);
      if (this.waiting.get(portalId)?.size) this.schedule(portalId);
    }
  }

  private async read(portalId: number, ids: number[]): Promise<Map<number, LocalContact>> {
    const r = await this.ctx.db.query<LocalContact>(
      'SELECT id, wa_id, bsuid, phone_e164, profile_name, hubspot_contact_id FROM contacts WHERE portal_id = $1 AND id = ANY($2::bigint[])',
      [portalId, ids],
    );
    return new Map(r.rows.map((c) => [c.id, c]));
  }

  /** One round for up to 1000 contacts; waits for contacts another instance is resolving. */
  private async resolve(portalId: number, ids: number[]): Promise<Map<number, Outcome>> {
    const out = new Map<number, Outcome>();
    let todo = ids;
    // Bounded by the time waited (not a clock reading): another instance's lease lasts at most leaseMs.
    const patienceMs = this.leaseMs + 5_000;
    let waitedMs = 0;
    for (let round = 0; todo.length; round++) {
      const rows = await this.read(portalId, todo);
      const unlinked: number[] = [];
      for (const id of todo) {
        const c = rows.get(id);
        if (!c) out.set(id, new ContactNotFoundError(`contact ${id} does not exist in portal ${portalId}`));
        else if (c.hubspot_contact_id) out.set(id, c.hubspot_contact_id);
        else unlinked.push(id);
      }
      if (!unlinked.length) break;
      await this.core.assertConnected(portalId);
      const now = this.ctx.clock.now().getTime();
      const claimed = await this.ctx.db.query<{ contact_id: number }>(
        `INSERT INTO hubspot_contact_leases (contact_id, portal_id, lease_owner, lease_until)
         SELECT unnest($2::bigint[]), $1, $3, $4
         ON CONFLICT (contact_id) DO UPDATE SET lease_owner = EXCLUDED.lease_owner, lease_until = EXCLUDED.lease_until, in_doubt = false
           WHERE hubspot_contact_leases.lease_until < $5
              OR (hubspot_contact_leases.lease_owner = EXCLUDED.lease_owner AND NOT hubspot_contact_leases.in_doubt)
         RETURNING contact_id`,
        [portalId, unlinked, this.core.instanceId, new Date(now + this.leaseMs), new Date(now)],
      );
      const mine = new Set(claimed.rows.map((r) => Number(r.contact_id)));
      if (mine.size) {
        try {
          const res = await this.resolveClaimed(portalId, [...mine]);
          for (const [id, o] of res) out.set(id, o);
        } finally {
          await this.ctx.db.query(
            'DELETE FROM hubspot_contact_leases WHERE contact_id = ANY($1::bigint[]) AND lease_owner = $2 AND NOT in_doubt',
            [[...mine], this.core.instanceId],
          );
        }
      }
      todo = unlinked.filter((id) => !mine.has(id));
      if (!todo.length) break;
      if (waitedMs > patienceMs) {
        for (const id of todo) out.set(id, new Error(`contact ${id} is being linked by another instance`));
        break;
      }
      const pause = Math.min(100 * 2 ** round, 1000);
      await sleep(pause);
      waitedMs += pause;
    }
    return out;
  }

  private async resolveClaimed(portalId: number, ids: number[]): Promise<Map<number, Outcome>> {
    const out = new Map<number, Outcome>();
    const rows = await this.read(portalId, ids);
    const targets: Target[] = [];
    for (const id of ids) {
      const c = rows.get(id);
      if (!c) continue;
      if (c.hubspot_contact_id) {
        out.set(id, c.hubspot_contact_id);
        continue;
      }
      const e164 = c.phone_e164 ?? toE164(c.wa_id);
      const phone = e164 ? phoneIdentity(e164) : null;
      if (!phone && !c.bsuid) {
        out.set(id, new Error(`contact ${id} has neither a phone number nor a WhatsApp user id`));
        continue;
      }
      targets.push({ contact: c, phone, bsuid: c.bsuid });
    }
    if (!targets.length) return out;

    const ready = await this.core.propertiesReady(portalId);
    const client = this.core.client(portalId);
    const found = await this.search(portalId, targets, ready);

    // Best match per target; a HubSpot contact already linked to another local contact is not reused.
    const candidateIds = [...new Set([...found.values()].flat().map((o) => o.id))];
    const taken = new Set<string>();
    if (candidateIds.length) {
      const r = await this.ctx.db.query<{ hubspot_contact_id: string }>(
        'SELECT hubspot_contact_id FROM contacts WHERE portal_id = $1 AND hubspot_contact_id = ANY($2::text[])',
        [portalId, candidateIds],
      );
      for (const row of r.rows) taken.add(row.hubspot_contact_id);
    }
    const matched = new Map<number, CrmObject>();
    const toCreate: Target[] = [];
    for (const t of targets) {
      const best = (found.get(t.contact.id) ?? [])
        .filter((o) => !taken.has(o.id) && !((this.gone.get(`${portalId}:${o.id}`) ?? 0) > this.nowMs()))
        .map((o) => ({ o, score: this.score(t, o) }))
        .filter((x) => x.score > 0)
        .sort((a, b) => b.score - a.score || Number(a.o.id) - Number(b.o.id))[0];
      if (best) {
        matched.set(t.contact.id, best.o);
        taken.add(best.o.id);
      } else toCreate.push(t);
    }

    // Existing contacts: fill an empty name from the WhatsApp profile, and our WhatsApp properties.
    const updates: Array<{ id: string; properties: Record<string, string> }> = [];
    for (const t of targets) {
      const o = matched.get(t.contact.id);
      if (!o) continue;
      const props: Record<string, string> = {};
      const name = splitProfileName(t.contact.profile_name);
      if (!o.properties.firstname && name.first) props.firstname = name.first;
      if (!o.properties.lastname && name.last) props.lastname = name.last;
      if (ready) {
        if (t.phone && o.properties[P.phoneE164] !== t.phone.e164) props[P.phoneE164] = t.phone.e164;
        if (t.contact.wa_id && !o.properties[P.waId]) props[P.waId] = t.contact.wa_id;
        if (t.bsuid && !o.properties[P.bsuid]) props[P.bsuid] = t.bsuid;
      }
      if (Object.keys(props).length) updates.push({ id: o.id, properties: props });
    }
    for (let i = 0; i < updates.length; i += MAX_BATCH) {
      try {
        await client.batchUpdateContacts(updates.slice(i, i + MAX_BATCH));
      } catch (err) {
        if (err instanceof PortalNotConnectedError) throw err;
        this.ctx.logger.warn({ err, portalId }, 'hubspot: filling names of matched contacts failed (links are kept)');
      }
    }
    const links = new Map<number, string>([...matched].map(([id, o]) => [id, o.id]));

    // Nobody has these numbers: create them, 100 per call.
    const createErrors = new Map<number, Error>();
    const parts: Target[][] = [];
    for (let i = 0; i < toCreate.length; i += MAX_BATCH) parts.push(...this.createChunkable(toCreate.slice(i, i + MAX_BATCH), ready));
    await mapLimit(parts, 4, async (part) => {
      {
        try {
          const created = await this.create(portalId, part, ready);
          for (const [id, hs] of created) links.set(id, hs);
        } catch (err) {
          if (err instanceof PortalNotConnectedError) throw err;
          if (err instanceof HubSpotInDoubtError) {
            // Keep the lease until HubSpot's search index shows what was created.
            const hold = this.ctx.clock.now().getTime() + (this.opts.inDoubtHoldMs ?? 30_000);
            await this.ctx.db.query(
              `UPDATE hubspot_contact_leases SET in_doubt = true, lease_until = $3, last_error = $4 WHERE contact_id = ANY($1::bigint[]) AND lease_owner = $2`,
              [part.map((t) => t.contact.id), this.core.instanceId, new Date(hold), err.message.slice(0, 500)],
            );
          }
          for (const t of part) createErrors.set(t.contact.id, err as Error);
        }
      }
    });

    await this.link(portalId, links);
    for (const [id, hs] of links) out.set(id, hs);
    for (const [id, e] of createErrors) out.set(id, e);
    // A concurrent link by another path wins; report what the row holds now.
    const after = await this.read(portalId, [...links.keys()]);
    for (const id of links.keys()) {
      const c = after.get(id);
      if (c?.hubspot_contact_id) out.set(id, c.hubspot_contact_id);
      else if (!createErrors.has(id)) out.set(id, new Error(`contact ${id} could not be linked`));
    }
    return out;
  }

  /** Without our properties a created contact is recognised by its phone; bsuid-only ones go one per call. */
  private createChunkable(targets: Target[], ready: boolean): Target[][] {
    if (ready) return [targets];
    const withPhone = targets.filter((t) => t.phone);
    return [...(withPhone.length ? [withPhone] : []), ...targets.filter((t) => !t.phone).map((t) => [t])];
  }

  private async create(portalId: number, targets: Target[], ready: boolean): Promise<Map<number, string>> {
    const client = this.core.client(portalId);
    const inputs = targets.map((t) => {
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
    });
    const res = await client.batchCreateContacts(inputs);
    const out = new Map<number, string>();
    // Batch results are not guaranteed to come back in input order: match them by what we wrote.
    const byKey = new Map<string, number>();
    for (const t of targets) byKey.set(this.keyOf(t), t.contact.id);
    for (const r of res.results ?? []) {
      const p = r.properties ?? {};
      const e = (ready ? p[P.phoneE164] : null) ?? (p.phone ? toE164(p.phone) : null);
      const key = e ? `p:${e}` : p[P.bsuid] ? `b:${String(p[P.bsuid]).toLowerCase()}` : null;
      const id = key ? byKey.get(key) : targets.length === 1 ? targets[0]!.contact.id : undefined;
      if (id !== undefined) out.set(id, r.id);
    }
    if (out.size < targets.length && (res.results ?? []).length === targets.length) {
      targets.forEach((t, i) => {
        if (!out.has(t.contact.id)) out.set(t.contact.id, res.results[i]!.id);
      });
    }
    this.ctx.logger.info({ portalId, created: out.size }, 'hubspot contacts created');
    return out;
  }

  private keyOf(t: Target): string {
    return t.phone ? `p:${t.phone.e164}` : `b:${(t.bsuid ?? '').toLowerCase()}`;
  }

  private score(t: Target, o: CrmObject): number {
    const p = o.properties ?? {};
    if (t.phone && p[P.phoneE164] && t.phone.e164Variants.includes(String(p[P.phoneE164]))) return 5;
    if (t.bsuid && p[P.bsuid] && String(p[P.bsuid]).toLowerCase() === t.bsuid.toLowerCase()) return 5;
    if (!t.phone) return 0;
    const mobile = matchStoredPhone(t.phone, p.mobilephone);
    const phone = matchStoredPhone(t.phone, p.phone);
    const best = Math.max(mobile, phone);
    return best === 2 ? 3 : best === 1 ? 1 : 0;
  }

  /**
   * One search per chunk of numbers, up to 100 values in each IN filter: national numbers and full
   * digits against both searchable phone properties, and E.164 against our wa_phone_e164 (five
   * filter groups, HubSpot's maximum). Chunks are searched concurrently; the limiter paces them.
   */
  private async search(portalId: number, targets: Target[], ready: boolean): Promise<Map<number, CrmObject[]>> {
    const client = this.core.client(portalId);
    const out = new Map<number, CrmObject[]>();
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

    const properties = [...SEARCH_PROPERTIES, ...(ready ? [P.phoneE164, P.waId, P.bsuid] : [])];
    const groupsOf = (chunk: Target[]): object[] => {
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
    };

    let propertiesGone = false;
    const found = await mapLimit(chunks, 4, async (chunk) => {
      const filterGroups = groupsOf(chunk);
      const results: CrmObject[] = [];
      if (!filterGroups.length) return results;
      let after: string | undefined;
      for (let page = 0; page < 20; page++) {
        let r;
        try {
          r = await client.searchContacts({ filterGroups, properties, limit: SEARCH_PAGE, ...(after ? { after } : {}) });
        } catch (err) {
          if (err instanceof HubSpotApiError && err.status === 400 && ready && /wa_/.test(err.message)) {
            propertiesGone = true;
            return results;
          }
          throw err;
        }
        results.push(...r.results);
        after = r.paging?.next?.after;
        if (!after) break;
      }
      return results;
    });
    if (propertiesGone) {
      // Our properties were deleted by an admin: search the standard ones; they are recreated later.
      await this.ctx.db.query('UPDATE hubspot_portal_state SET properties_ready = false WHERE portal_id = $1', [portalId]);
      this.core.forgetReady(portalId);
      return this.search(portalId, targets, false);
    }
    chunks.forEach((chunk, i) => {
      for (const t of chunk) {
        const mine = found[i]!.filter((o) => this.score(t, o) > 0);
        if (mine.length) out.set(t.contact.id, mine);
      }
    });
    return out;
  }

  /** Writes the links; a HubSpot contact already linked elsewhere is skipped (unique per portal). */
  private async link(portalId: number, links: Map<number, string>): Promise<void> {
    if (!links.size) return;
    const ids = [...links.keys()];
    const hs = ids.map((id) => links.get(id)!);
    try {
      await this.ctx.db.query(
        `UPDATE contacts c SET hubspot_contact_id = v.hs, updated_at = now()
           FROM unnest($2::bigint[], $3::text[]) AS v(id, hs)
          WHERE c.portal_id = $1 AND c.id = v.id AND c.hubspot_contact_id IS NULL`,
        [portalId, ids, hs],
      );
    } catch (err) {
      if ((err as { code?: string }).code !== '23505') throw err;
      for (const [id, h] of links) {
        try {
          await this.ctx.db.query(
            'UPDATE contacts SET hubspot_contact_id = $3, updated_at = now() WHERE portal_id = $1 AND id = $2 AND hubspot_contact_id IS NULL',
            [portalId, id, h],
          );
        } catch (e) {
          if ((e as { code?: string }).code !== '23505') throw e;
          this.ctx.logger.warn({ portalId, contactId: id }, 'hubspot contact already linked to another WhatsApp contact');
        }
      }
    }
  }
}
