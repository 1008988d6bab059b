import type { PoolClient } from 'pg';
import type { Queryable } from '../db/database.js';
import type { AudienceRow, AudienceSkip } from './audience.js';

export type CampaignStatus = 'scheduled' | 'running' | 'paused' | 'completed' | 'cancelled';

export interface CampaignRow {
  id: number;
  portal_id: number;
  name: string;
  phone_number_id: string;
  template_name: string;
  language: string;
  status: CampaignStatus;
  scheduled_at: Date | null;
  time_zone: string;
  header_media_type: 'image' | 'video' | 'document' | null;
  started_at: Date | null;
  finished_at: Date | null;
  opt_in_attested: boolean;
  attested_by_user_id: number | null;
  attested_at: Date | null;
  created_at: Date;
}

export interface NewCampaign {
  portalId: number;
  userId: number;
  name: string;
  phoneNumberId: string;
  templateName: string;
  language: string;
  headerMediaType: 'image' | 'video' | 'document' | null;
  scheduledAt: Date | null;
  timeZone: string;
  optInAttested: boolean;
  now: Date;
}

/** Skip codes decided when the audience is stored (F6/F8/F9, F24), and the list members' (audience.ts). */
export type SkipCode = 'DUPLICATE' | 'OPTED_OUT' | 'NO_CONSENT' | 'PLAN_LIMIT' | AudienceSkip;

/** F24 hook: which of these contacts the portal's plan does not allow a business-initiated send to. */
export type PlanCheck = (q: Queryable, portalId: number, contactIds: number[]) => Promise<Set<number>>;

interface AudienceContact {
  id: number;
  phone_e164: string;
  consent: string;
  opted_out: boolean;
  hubspot_contact_id: string | null;
}

/**
 * Stores the campaign and its audience in one transaction: each phone becomes (or finds) its local
 * contact, like an inbound sender would; opted-out and unconsented rows are skipped with their code,
 * unless the admin attested the opt-in, which is recorded as consent evidence per recipient.
 */
export async function insertCampaign(c: PoolClient, n: NewCampaign, rows: AudienceRow[], planCheck?: PlanCheck): Promise<CampaignRow> {
  const status: CampaignStatus = n.scheduledAt ? 'scheduled' : 'running';
  const camp = (
    await c.query<CampaignRow>(
      `INSERT INTO campaigns (portal_id, name, phone_number_id, template_name, language, status, scheduled_at, time_zone, started_at,
                              created_by_user_id, opt_in_attested, attested_by_user_id, attested_at, created_at, updated_at, header_media_type)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$14,$15) RETURNING *`,
      [
        n.portalId, n.name, n.phoneNumberId, n.templateName, n.language, status, n.scheduledAt, n.timeZone, status === 'running' ? n.now : null,
        n.userId, n.optInAttested, n.optInAttested ? n.userId : null, n.optInAttested ? n.now : null, n.now, n.headerMediaType,
      ],
    )
  ).rows[0]!;
  const byPhone = await audienceContacts(c, n.portalId, rows);
  const contactOf = (r: AudienceRow) => (r.phoneE164 ? byPhone.get(r.phoneE164) : undefined);
  const overPlan = planCheck ? await planCheck(c, n.portalId, [...byPhone.values()].map((x) => x.id)) : new Set<number>();
  const attest: AudienceContact[] = [];
  const reasons = rows.map((r): SkipCode | null => {
    if (r.skip) return r.skip;
    const contact = contactOf(r)!;
    if (r.duplicateOf !== null) return 'DUPLICATE';
    if (contact.opted_out) return 'OPTED_OUT';
    if (contact.consent !== 'granted') {
      if (!n.optInAttested) return 'NO_CONSENT';
      attest.push(contact);
    }
    if (overPlan.has(contact.id)) return 'PLAN_LIMIT';
    return null;
  });
  if (attest.length) await recordAttestedConsent(c, camp, attest, n);
  await c.query(
    `INSERT INTO campaign_recipients (campaign_id, row_number, phone_e164, contact_id, parameters, header_media_url, state, reason, hubspot_contact_id)
     SELECT $1, r.row_number, r.phone, r.contact_id, r.parameters::jsonb, r.url, CASE WHEN r.reason IS NULL THEN 'pending' ELSE 'skipped' END, r.reason, r.hs
       FROM unnest($2::int[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[]) AS r(row_number, phone, contact_id, parameters, url, reason, hs)`,
    [
      camp.id,
      rows.map((r) => r.rowNumber),
      rows.map((r) => r.phoneE164),
      rows.map((r) => contactOf(r)?.id ?? null),
      rows.map((r) => JSON.stringify(r.parameters)),
      rows.map((r) => r.headerMediaUrl),
      reasons,
      rows.map((r) => r.hubspotContactId ?? null),
    ],
  );
  return camp;
}

/** The local contact of every phone, created like an inbound sender's; a list member's is linked to its HubSpot contact. */
async function audienceContacts(c: PoolClient, portalId: number, rows: AudienceRow[]): Promise<Map<string, AudienceContact>> {
  const phones = [...new Set(rows.map((r) => r.phoneE164).filter((p): p is string => p !== null))];
  const contacts = await c.query<AudienceContact>(
    `INSERT INTO contacts (portal_id, wa_id, phone_e164)
     SELECT $1, substr(p, 2), p FROM unnest($2::text[]) AS p
     ON CONFLICT (portal_id, phone_e164) WHERE phone_e164 IS NOT NULL DO UPDATE SET updated_at = contacts.updated_at
     RETURNING id, phone_e164, consent, opted_out, hubspot_contact_id`,
    [portalId, phones],
  );
  const byPhone = new Map(contacts.rows.map((r) => [r.phone_e164, { ...r, id: Number(r.id) }]));
  // The HubSpot contact is known for a list member: link it now, so the timeline needs no search for it.
  const links = new Map<number, string>();
  for (const r of rows) {
    const ct = r.phoneE164 && r.hubspotContactId ? byPhone.get(r.phoneE164) : undefined;
    if (ct && !ct.hubspot_contact_id && !links.has(ct.id)) links.set(ct.id, r.hubspotContactId!);
  }
  if (links.size) {
    // Best effort: a HubSpot contact linked meanwhile to another local contact (unique index) keeps that link.
    await c.query('SAVEPOINT audience_links');
    try {
      await c.query(
        `UPDATE contacts ct SET hubspot_contact_id = x.hs, updated_at = now()
           FROM unnest($2::bigint[], $3::text[]) AS x(id, hs)
          WHERE ct.id = x.id AND ct.portal_id = $1 AND ct.hubspot_contact_id IS NULL
            AND NOT EXISTS (SELECT 1 FROM contacts o WHERE o.portal_id = $1 AND o.hubspot_contact_id = x.hs)`,
        [portalId, [...links.keys()], [...links.values()]],
      );
      await c.query('RELEASE SAVEPOINT audience_links');
    } catch {
      await c.query('ROLLBACK TO SAVEPOINT audience_links');
    }
  }
  return byPhone;
}

/** One consent record per attested recipient (who attested, when, which campaign) and the contact's consent. */
async function recordAttestedConsent(c: PoolClient, camp: CampaignRow, contacts: AudienceContact[], n: NewCampaign): Promise<void> {
  const ids = contacts.map((x) => x.id);
  await c.query(
    `INSERT INTO consent_records (portal_id, contact_id, phone_number_id, decision, method, answer_text, customer_phone, answered_at, recorded_at)
     SELECT $1, ct.id, $2, 'granted', 'campaign_attestation', $3, ct.phone_e164, $4, $4 FROM contacts ct WHERE ct.id = ANY($5::bigint[])`,
    [n.portalId, n.phoneNumberId, `Opt-in attested by HubSpot user ${n.userId} for campaign ${camp.id} "${camp.name}"`, n.now, ids],
  );
  await c.query(`UPDATE contacts SET consent = 'granted', consent_at = $2, updated_at = now() WHERE id = ANY($1::bigint[])`, [ids, n.now]);
}

export async function getCampaign(q: Queryable, portalId: number, id: number): Promise<CampaignRow | undefined> {
  const r = await q.query<CampaignRow>(`SELECT * FROM campaigns WHERE portal_id = $1 AND id = $2`, [portalId, id]);
  return r.rows[0];
}

export async function listCampaigns(q: Queryable, portalId: number): Promise<CampaignRow[]> {
  const r = await q.query<CampaignRow>(`SELECT * FROM campaigns WHERE portal_id = $1 ORDER BY id DESC LIMIT 200`, [portalId]);
  return r.rows;
}

/** A recipient as the API shows it: our state until Meta took it, then the message's status. */
export const RECIPIENT_STATUS_SQL = `CASE
  WHEN r.state = 'skipped' THEN 'skipped'
  WHEN r.state = 'failed' OR m.status = 'failed' THEN 'failed'
  WHEN r.state IN ('pending', 'claimed') OR m.wamid IS NULL THEN 'pending'
  WHEN m.status IN ('delivered', 'read') THEN m.status
  ELSE 'sent' END`;

export interface Counts {
  total: number;
  pending: number;
  sent: number;
  delivered: number;
  read: number;
  failed: number;
  skipped: number;
}

export async function campaignCounts(q: Queryable, campaignIds: number[]): Promise<Map<number, Counts>> {
  const r = await q.query<{ campaign_id: number; status: keyof Counts; n: number }>(
    `SELECT r.campaign_id, ${RECIPIENT_STATUS_SQL} AS status, count(*)::int AS n
       FROM campaign_recipients r LEFT JOIN messages m ON m.id = r.message_id
      WHERE r.campaign_id = ANY($1::bigint[]) GROUP BY 1, 2`,
    [campaignIds],
  );
  const out = new Map<number, Counts>();
  for (const id of campaignIds) out.set(id, { total: 0, pending: 0, sent: 0, delivered: 0, read: 0, failed: 0, skipped: 0 });
  for (const row of r.rows) {
    const c = out.get(Number(row.campaign_id))!;
    c[row.status] += row.n;
    c.total += row.n;
  }
  return out;
}

export interface RecipientView {
  id: number;
  row_number: number;
  phone_e164: string | null;
  hubspot_contact_id: string | null;
  status: string;
  reason: string | null;
  message_id: number | null;
  error: { code?: unknown; title?: unknown } | null;
}

export async function recipientsPage(q: Queryable, campaignId: number, p: { status?: string; afterId: number; limit: number }): Promise<RecipientView[]> {
  const r = await q.query<RecipientView>(
    `SELECT * FROM (
       SELECT r.id, r.row_number, r.phone_e164, COALESCE(ct.hubspot_contact_id, r.hubspot_contact_id) AS hubspot_contact_id, ${RECIPIENT_STATUS_SQL} AS status, r.reason, r.message_id, m.error
         FROM campaign_recipients r
         LEFT JOIN messages m ON m.id = r.message_id
         LEFT JOIN contacts ct ON ct.id = r.contact_id
        WHERE r.campaign_id = $1 AND r.id > $2) x
      WHERE $3::text IS NULL OR x.status = $3
      ORDER BY x.id LIMIT $4`,
    [campaignId, p.afterId, p.status ?? null, p.limit],
  );
  return r.rows;
}

/** Moves a campaign between states when it is in one of `from`; returns the updated row or undefined. */
export async function transition(q: Queryable, portalId: number, id: number, from: CampaignStatus[], to: CampaignStatus, at: Date): Promise<CampaignRow | undefined> {
  const r = await q.query<CampaignRow>(
    `UPDATE campaigns SET status = $4, updated_at = $5,
            started_at = CASE WHEN $4 = 'running' THEN COALESCE(started_at, $5) ELSE started_at END,
            finished_at = CASE WHEN $4 IN ('completed', 'cancelled') THEN $5 ELSE finished_at END
      WHERE portal_id = $1 AND id = $2 AND status = ANY($3::text[]) RETURNING *`,
    [portalId, id, from, to, at],
  );
  return r.rows[0];
}
