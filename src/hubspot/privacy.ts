import type { AppContext } from '../app-context.js';
import type { Queryable } from '../db/database.js';
import type { ChannelErasure, ErasureSubject, MediaFiles } from '../seams.js';
import { scrubAppRecords } from './privacy-scrub.js';

export const PRIVACY_QUEUE = 'hubspot.privacy.delete';

/**
 * A webhook naming the person that is still to be processed would store them again after the
 * deletion: the deletion waits for it, every 5 s, at most 60 times (5 minutes), then goes ahead.
 */
const DEFER_SECONDS = 5;
const MAX_DEFERRALS = 60;

export interface PrivacyDeletionJob {
  portalId: number;
  hubspotContactId: string;
  eventId?: string;
  occurredAt?: number;
  /** How many times this deletion already waited for pending webhooks. */
  deferrals?: number;
}

export interface PrivacyDeps {
  /** Their attachment files. */
  media?: MediaFiles;
  /** What the WhatsApp channel keeps outside the contact's rows (raw webhooks, status history). */
  channel?: ChannelErasure;
}

interface ContactIdentity {
  id: number;
  wa_id: string | null;
  phone_e164: string | null;
  bsuid: string | null;
  consent: string;
  consent_at: Date | null;
  opted_out: boolean;
  opted_out_at: Date | null;
}

type Subject = ErasureSubject & { contactIds: number[]; conversationIds: number[] };

async function subjectOf(q: Queryable, portalId: number, hubspotContactId: string, lock: boolean): Promise<{ rows: ContactIdentity[]; who: Subject }> {
  const contacts = await q.query<ContactIdentity>(
    `SELECT id, wa_id, phone_e164, bsuid, consent, consent_at, opted_out, opted_out_at FROM contacts
      WHERE portal_id = $1 AND hubspot_contact_id = $2 ${lock ? 'FOR UPDATE' : ''}`,
    [portalId, hubspotContactId],
  );
  const rows = contacts.rows.map((r) => ({ ...r, id: Number(r.id) }));
  const contactIds = rows.map((r) => r.id);
  const present = (xs: Array<string | null>) => xs.filter((x): x is string => Boolean(x));
  const who: Subject = {
    contactIds,
    waIds: present(rows.map((r) => r.wa_id)),
    phones: present(rows.map((r) => r.phone_e164)),
    bsuids: present(rows.map((r) => r.bsuid)),
    wamids: [],
    conversationIds: [],
  };
  if (lock && contactIds.length) {
    const m = await q.query<{ wamid: string }>('SELECT wamid FROM messages WHERE contact_id = ANY($1::bigint[]) AND wamid IS NOT NULL', [contactIds]);
    who.wamids = m.rows.map((r) => r.wamid);
    const cv = await q.query<{ id: number }>('SELECT id FROM conversations WHERE contact_id = ANY($1::bigint[])', [contactIds]);
    who.conversationIds = cv.rows.map((r) => Number(r.id));
  }
  return { rows, who };
}

/**
 * `contact.privacyDeletion`: the person asked HubSpot to erase them. We delete every WhatsApp
 * contact of that portal linked to the HubSpot contact — and with it (foreign keys, ON DELETE
 * CASCADE) its messages, conversations, media rows, consent rows and queued HubSpot writes — and
 * erase what no foreign key reaches: raw webhook bodies and status history (the channel), API
 * answers kept for replays, campaign recipient rows, upload links. One record without personal data
 * is kept: the consent state and dates, and when the deletion happened (docs/hubspot.md "Privacy").
 */
export async function deleteContactData(ctx: AppContext, deps: PrivacyDeps, job: PrivacyDeletionJob): Promise<{ contacts: number; messages: number; deferred?: boolean }> {
  const deferrals = job.deferrals ?? 0;
  if (deps.channel && deferrals < MAX_DEFERRALS) {
    const { who } = await subjectOf(ctx.db.pool, job.portalId, job.hubspotContactId, false);
    if (who.contactIds.length && (await deps.channel.pendingWebhooks(ctx.db.pool, who)) > 0) {
      await ctx.jobs.send(PRIVACY_QUEUE, { ...job, deferrals: deferrals + 1 } satisfies PrivacyDeletionJob, { startAfterSeconds: DEFER_SECONDS });
      ctx.logger.info({ portalId: job.portalId, deferrals: deferrals + 1 }, 'privacy deletion waits for webhooks still to be processed');
      return { contacts: 0, messages: 0, deferred: true };
    }
  }
  // Stored attachment files live outside the database: their keys are read before the rows go,
  // and the files are erased once the deletion has committed.
  let mediaKeys: string[] = [];
  const result = await ctx.db.tx(async (c) => {
    const { rows, who } = await subjectOf(c, job.portalId, job.hubspotContactId, true);
    const ids = who.contactIds;
    let messages = 0;
    if (ids.length) {
      const m = await c.query<{ n: number }>('SELECT count(*)::int AS n FROM messages WHERE contact_id = ANY($1::bigint[])', [ids]);
      messages = m.rows[0]!.n;
      mediaKeys = (await deps.media?.storedMediaKeys(c, ids)) ?? [];
      const traces = await deps.channel?.eraseTraces(c, who);
      const scrubbed = await scrubAppRecords(c, {
        portalId: job.portalId,
        hubspotContactId: job.hubspotContactId,
        contactIds: ids,
        conversationIds: who.conversationIds,
        needles: [...who.phones, ...who.waIds, ...who.bsuids, ...who.wamids],
      });
      ctx.logger.info({ portalId: job.portalId, ...traces, ...scrubbed }, 'privacy deletion: records outside the contact erased');
      await c.query('DELETE FROM contacts WHERE id = ANY($1::bigint[])', [ids]);
    }
    await insertEvidence(c, job, rows[0], ids.length, messages);
    ctx.logger.info({ portalId: job.portalId, contacts: ids.length, messages, files: mediaKeys.length }, 'privacy deletion carried out');
    return { contacts: ids.length, messages };
  });
  for (const key of mediaKeys) {
    // A file that fails to go is logged, not retried forever: its row (and so every link to it) is gone.
    await deps.media!.eraseFile(key).catch((err) => ctx.logger.warn({ err, portalId: job.portalId }, 'could not erase a media file'));
  }
  return result;
}

/** The one record kept: no phone, name, WhatsApp id or content (see the table's comment). */
async function insertEvidence(c: Queryable, job: PrivacyDeletionJob, first: ContactIdentity | undefined, contacts: number, messages: number): Promise<void> {
  await c.query(
    `INSERT INTO hubspot_privacy_deletions (portal_id, hubspot_contact_id, event_id, consent, consent_at, opted_out, opted_out_at,
       contacts_deleted, messages_deleted, requested_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      job.portalId,
      job.hubspotContactId,
      job.eventId ?? null,
      first?.consent ?? null,
      first?.consent_at ?? null,
      first?.opted_out ?? null,
      first?.opted_out_at ?? null,
      contacts,
      messages,
      job.occurredAt ? new Date(job.occurredAt) : null,
    ],
  );
}
