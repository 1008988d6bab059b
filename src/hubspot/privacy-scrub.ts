import type { Queryable } from '../db/database.js';

/** Placeholder written where a deleted person's value was (a row kept for others' sake, e.g. campaign counts). */
export const ERASED = '[erased]';

export interface ScrubTarget {
  portalId: number;
  hubspotContactId: string;
  contactIds: number[];
  conversationIds: number[];
  /** Phones (+E.164), wa_ids (digits) and wamids: what an API answer about them can contain. */
  needles: string[];
}

/**
 * Privacy deletion, the rows that are not linked to the contact by a foreign key (so no cascade
 * reaches them): extension API answers kept for Idempotency-Key replays (a sent message's text,
 * the contact's phone), campaign recipients (phone and template values), unused campaign audiences, upload links.
 */
export async function scrubAppRecords(c: Queryable, t: ScrubTarget): Promise<{ apiAnswers: number; campaignRecipients: number }> {
  // Keys are "<METHOD> <path> <key>": every call about the contact or one of its conversations goes.
  const paths = [`/api/v1/contacts/${t.hubspotContactId}/`, ...t.conversationIds.map((id) => `/api/v1/conversations/${id}/`)];
  const answers = await c.query(
    `DELETE FROM idempotency_keys WHERE portal_id = $1 AND (
       EXISTS (SELECT 1 FROM unnest($2::text[]) AS p(path) WHERE strpos(key, p.path) > 0)
       OR EXISTS (SELECT 1 FROM unnest($3::text[]) AS n(needle) WHERE strpos(response::text, n.needle) > 0))`,
    [t.portalId, paths, t.needles.filter((n) => n.length >= 6)],
  );
  // The recipient row stays (the campaign's counts and results), without who it was; not sent yet → skipped.
  const recipients = await c.query(
    `UPDATE campaign_recipients r
        SET phone_e164 = $4, parameters = '[]', header_media_url = NULL, claimed_by = NULL, hubspot_contact_id = NULL, updated_at = now(),
            reason = CASE WHEN r.state IN ('pending', 'claimed') THEN 'ERASED' ELSE r.reason END,
            state = CASE WHEN r.state IN ('pending', 'claimed') THEN 'skipped' ELSE r.state END
       FROM campaigns k
      WHERE k.id = r.campaign_id AND k.portal_id = $1 AND (r.contact_id = ANY($2::bigint[]) OR r.phone_e164 = ANY($3::text[]) OR r.hubspot_contact_id = $5)`,
    [t.portalId, t.contactIds, t.needles, ERASED, t.hubspotContactId],
  );
  // A campaign audience not used yet (a CSV uploaded, a list read; kept a day at most) that names them goes whole.
  await c.query(
    `DELETE FROM campaign_audiences WHERE portal_id = $1 AND rows IS NOT NULL
        AND EXISTS (SELECT 1 FROM unnest($2::text[]) AS n(needle) WHERE strpos(rows::text, n.needle) > 0)`,
    [t.portalId, [...t.needles.filter((n) => n.startsWith('+')), `"${t.hubspotContactId}"`]],
  );
  await c.query('DELETE FROM upload_links WHERE portal_id = $1 AND hubspot_contact_id = $2', [t.portalId, t.hubspotContactId]);
  return { apiAnswers: answers.rowCount ?? 0, campaignRecipients: recipients.rowCount ?? 0 };
}
