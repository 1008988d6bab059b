import type { CrmObject } from './client.js';
import { mapLimit } from './concurrency.js';
import type { HubSpotCore } from './core.js';
import { bestMatch, createChunks, createInput, fillFor, keyOf, keyOfCreated, OurPropertiesGoneError, searchCandidates, type LocalContact, type Target } from './contact-match.js';
import { HubSpotInDoubtError, PortalNotConnectedError } from './errors.js';
import { phoneIdentity, toE164 } from './phone.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

type Outcome = string | Error;

interface Waiter {
  resolve: (v: string) => void;
  reject: (e: Error) => void;
}

const MAX_BATCH = 100;

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
    const { out, targets } = await this.targetsOf(portalId, ids);
    if (!targets.length) return out;
    const ready = await this.core.propertiesReady(portalId);
    const { matched, toCreate } = await this.match(portalId, targets, ready);
    await this.fillMatched(portalId, targets, matched, ready);
    const links = new Map<number, string>([...matched].map(([id, o]) => [id, o.id]));
    const createErrors = await this.createMissing(portalId, toCreate, ready, links);

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

  /** Contacts still unlinked, with the phone identity they are searched by. */
  private async targetsOf(portalId: number, ids: number[]): Promise<{ out: Map<number, Outcome>; targets: Target[] }> {
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
    return { out, targets };
  }

  /** Best match per target; a HubSpot contact already linked to another local contact is not reused. */
  private async match(portalId: number, targets: Target[], ready: boolean): Promise<{ matched: Map<number, CrmObject>; toCreate: Target[] }> {
    const found = await this.search(portalId, targets, ready);
    const candidateIds = [...new Set([...found.values()].flat().map((o) => o.id))];
    const taken = new Set<string>();
    if (candidateIds.length) {
      const r = await this.ctx.db.query<{ hubspot_contact_id: string }>(
        'SELECT hubspot_contact_id FROM contacts WHERE portal_id = $1 AND hubspot_contact_id = ANY($2::text[])',
        [portalId, candidateIds],
      );
      for (const row of r.rows) taken.add(row.hubspot_contact_id);
    }
    const usable = (o: CrmObject) => !taken.has(o.id) && !((this.gone.get(`${portalId}:${o.id}`) ?? 0) > this.nowMs());
    const matched = new Map<number, CrmObject>();
    const toCreate: Target[] = [];
    for (const t of targets) {
      const best = bestMatch(t, found.get(t.contact.id) ?? [], usable);
      if (best) {
        matched.set(t.contact.id, best);
        taken.add(best.id);
      } else toCreate.push(t);
    }
    return { matched, toCreate };
  }

  /** Existing contacts get an empty name filled and our WhatsApp properties; a failure keeps the links. */
  private async fillMatched(portalId: number, targets: Target[], matched: Map<number, CrmObject>, ready: boolean): Promise<void> {
    const updates: Array<{ id: string; properties: Record<string, string> }> = [];
    for (const t of targets) {
      const o = matched.get(t.contact.id);
      if (!o) continue;
      const props = fillFor(t, o, ready);
      if (Object.keys(props).length) updates.push({ id: o.id, properties: props });
    }
    const client = this.core.client(portalId);
    for (let i = 0; i < updates.length; i += MAX_BATCH) {
      try {
        await client.batchUpdateContacts(updates.slice(i, i + MAX_BATCH));
      } catch (err) {
        if (err instanceof PortalNotConnectedError) throw err;
        this.ctx.logger.warn({ err, portalId }, 'hubspot: filling names of matched contacts failed (links are kept)');
      }
    }
  }

  /** Nobody has these numbers: create them, 100 per call; adds to `links`, returns the failures. */
  private async createMissing(portalId: number, toCreate: Target[], ready: boolean, links: Map<number, string>): Promise<Map<number, Error>> {
    const createErrors = new Map<number, Error>();
    const parts: Target[][] = [];
    for (let i = 0; i < toCreate.length; i += MAX_BATCH) parts.push(...createChunks(toCreate.slice(i, i + MAX_BATCH), ready));
    await mapLimit(parts, 4, async (part) => {
      try {
        const created = await this.create(portalId, part, ready);
        for (const [id, hs] of created) links.set(id, hs);
      } catch (err) {
        if (err instanceof PortalNotConnectedError) throw err;
        if (err instanceof HubSpotInDoubtError) await this.holdInDoubt(part, err);
        for (const t of part) createErrors.set(t.contact.id, err as Error);
      }
    });
    return createErrors;
  }

  /** Keep the lease until HubSpot's search index shows what an in-doubt create made. */
  private async holdInDoubt(part: Target[], err: Error): Promise<void> {
    const hold = this.nowMs() + (this.opts.inDoubtHoldMs ?? 30_000);
    await this.ctx.db.query(
      `UPDATE hubspot_contact_leases SET in_doubt = true, lease_until = $3, last_error = $4 WHERE contact_id = ANY($1::bigint[]) AND lease_owner = $2`,
      [part.map((t) => t.contact.id), this.core.instanceId, new Date(hold), err.message.slice(0, 500)],
    );
  }

  private async create(portalId: number, targets: Target[], ready: boolean): Promise<Map<number, string>> {
    const res = await this.core.client(portalId).batchCreateContacts(targets.map((t) => createInput(t, ready)));
    const out = new Map<number, string>();
    // Batch results are not guaranteed to come back in input order: match them by what we wrote.
    const byKey = new Map<string, number>();
    for (const t of targets) byKey.set(keyOf(t), t.contact.id);
    for (const r of res.results ?? []) {
      const key = keyOfCreated(r.properties ?? {}, ready);
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

  /** Candidates for the targets; when our properties were deleted by an admin, the standard ones (recreated later). */
  private async search(portalId: number, targets: Target[], ready: boolean): Promise<Map<number, CrmObject[]>> {
    try {
      return await searchCandidates(this.core.client(portalId), targets, ready);
    } catch (err) {
      if (!(err instanceof OurPropertiesGoneError)) throw err;
      await this.ctx.db.query('UPDATE hubspot_portal_state SET properties_ready = false WHERE portal_id = $1', [portalId]);
      this.core.forgetReady(portalId);
      return searchCandidates(this.core.client(portalId), targets, false);
    }
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
