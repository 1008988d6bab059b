import type { AppContext } from '../app-context.js';
import type { MediaFiles } from '../seams.js';

export const PRIVACY_QUEUE = 'hubspot.privacy.delete';

export interface PrivacyDeletionJob {
  portalId: number;
  hubspotContactId: string;
  eventId?: string;
  occurredAt?: number;
}

/**
 * `contact.privacyDeletion`: the person asked HubSpot to erase them. We delete every WhatsApp
 * contact of that portal linked to the HubSpot contact — and with it (foreign keys, ON DELETE
 * CASCADE) its messages, conversations, media rows, consent rows and queued HubSpot writes — and keep
 * one record without personal data: the consent state and dates, and when the deletion happened.
 */
export async function deleteContactData(ctx: AppContext, media: MediaFiles | undefined, job: PrivacyDeletionJob): Promise<{ contacts: number; messages: number }> {
  // Stored attachment files live outside the database: their keys are read before the rows go,
  // and the files are erased once the deletion has committed.
  let mediaKeys: string[] = [];
  const result = await ctx.db.tx(async (c) => {
    const contacts = await c.query<{ id: number; consent: string; consent_at: Date | null; opted_out: boolean; opted_out_at: Date | null }>(
      `SELECT id, consent, consent_at, opted_out, opted_out_at FROM contacts WHERE portal_id = $1 AND hubspot_contact_id = $2 FOR UPDATE`,
      [job.portalId, job.hubspotContactId],
    );
    const ids = contacts.rows.map((r) => Number(r.id));
    let messages = 0;
    if (ids.length) {
      const m = await c.query<{ n: number }>('SELECT count(*)::int AS n FROM messages WHERE contact_id = ANY($1::bigint[])', [ids]);
      messages = m.rows[0]!.n;
      mediaKeys = (await media?.storedMediaKeys(c, ids)) ?? [];
      await c.query('DELETE FROM contacts WHERE id = ANY($1::bigint[])', [ids]);
    }
    const first = contacts.rows[0];
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
        ids.length,
        messages,
        job.occurredAt ? new Date(job.occurredAt) : null,
      ],
    );
    ctx.logger.info({ portalId: job.portalId, contacts: ids.length, messages, files: mediaKeys.length }, 'privacy deletion carried out');
    return { contacts: ids.length, messages };
  });
  for (const key of mediaKeys) {
    // A file that fails to go is logged, not retried forever: its row (and so every link to it) is gone.
    await media!.eraseFile(key).catch((err) => ctx.logger.warn({ err, portalId: job.portalId }, 'could not erase a media file'));
  }
  return result;
}
