import type { Queryable } from '../db/database.js';

export interface ContactRow {
  id: number;
  portal_id: number;
  wa_id: string | null;
  bsuid: string | null;
  phone_e164: string | null;
  profile_name: string | null;
  hubspot_contact_id: string | null;
  consent: 'granted' | 'declined' | 'unknown';
  consent_at: Date | null;
  opted_out: boolean;
  opted_out_at: Date | null;
  last_inbound_at: Date | null;
}

/** Digits of a WhatsApp id to E.164 (`573001234567` → `+573001234567`). */
export function waIdToE164(waId: string): string {
  const digits = waId.replace(/\D/g, '');
  return `+${digits}`;
}

/**
 * The local identity row of a WhatsApp customer on a portal: found or created atomically, so
 * concurrent first messages from one number make one row. Keyed on E.164 when Meta gives a wa_id,
 * else on the business-scoped user id. Linking to the HubSpot contact happens later, in a job.
 */
export async function upsertWhatsAppContact(
  q: Queryable,
  p: { portalId: number; waId?: string | null; bsuid?: string | null; profileName?: string | null; lastInboundAt?: Date | null },
): Promise<ContactRow> {
  const e164 = p.waId ? waIdToE164(p.waId) : null;
  if (!e164 && !p.bsuid) throw new Error('a WhatsApp contact needs a wa_id or a business-scoped user id');
  const conflict = e164 ? '(portal_id, phone_e164) WHERE phone_e164 IS NOT NULL' : '(portal_id, bsuid) WHERE bsuid IS NOT NULL';
  const r = await q.query<ContactRow>(
    `INSERT INTO contacts (portal_id, wa_id, bsuid, phone_e164, profile_name, last_inbound_at)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT ${conflict} DO UPDATE SET
       wa_id = COALESCE(EXCLUDED.wa_id, contacts.wa_id),
       bsuid = COALESCE(EXCLUDED.bsuid, contacts.bsuid),
       profile_name = COALESCE(EXCLUDED.profile_name, contacts.profile_name),
       last_inbound_at = GREATEST(contacts.last_inbound_at, EXCLUDED.last_inbound_at),
       updated_at = now()
     RETURNING *`,
    [p.portalId, p.waId ?? null, p.bsuid ?? null, e164, p.profileName ?? null, p.lastInboundAt ?? null],
  );
  return r.rows[0]!;
}

export async function getContact(q: Queryable, portalId: number, contactId: number): Promise<ContactRow | undefined> {
  const r = await q.query<ContactRow>('SELECT * FROM contacts WHERE portal_id = $1 AND id = $2', [portalId, contactId]);
  return r.rows[0];
}

export async function getContactByHubSpotId(q: Queryable, portalId: number, hubspotContactId: string): Promise<ContactRow | undefined> {
  const r = await q.query<ContactRow>('SELECT * FROM contacts WHERE portal_id = $1 AND hubspot_contact_id = $2', [
    portalId,
    hubspotContactId,
  ]);
  return r.rows[0];
}
