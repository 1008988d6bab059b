import type { Queryable } from '../db/database.js';

export interface NumberRow {
  id: number;
  portal_id: number;
  phone_number_id: string;
  waba_id: string;
  display_phone_number: string | null;
  verified_name: string | null;
  label: string;
  access_token_enc: string;
  token_status: 'valid' | 'needs_token';
  quality_rating: string | null;
  throughput_per_second: number | null;
  messaging_limit_tier: string | null;
  last_quality_event: unknown;
  token_error: string | null;
  templates_synced_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export async function numberByPhoneNumberId(q: Queryable, phoneNumberId: string): Promise<NumberRow | undefined> {
  const r = await q.query<NumberRow>(`SELECT * FROM whatsapp_numbers WHERE phone_number_id = $1`, [phoneNumberId]);
  return r.rows[0];
}

export async function portalNumber(q: Queryable, portalId: number, phoneNumberId: string): Promise<NumberRow | undefined> {
  const r = await q.query<NumberRow>(`SELECT * FROM whatsapp_numbers WHERE portal_id = $1 AND phone_number_id = $2`, [portalId, phoneNumberId]);
  return r.rows[0];
}

/**
 * The portal's number and whether the portal is uninstalled, in one round trip (the sender's gate
 * asks both before every send).
 */
export async function portalNumberAndStatus(q: Queryable, portalId: number, phoneNumberId: string): Promise<{ number?: NumberRow; uninstalled: boolean }> {
  const r = await q.query<NumberRow & { portal_uninstalled: boolean }>(
    `SELECT n.*, COALESCE((SELECT status = 'uninstalled' FROM portals WHERE id = $1), false) AS portal_uninstalled
       FROM (SELECT 1) one LEFT JOIN whatsapp_numbers n ON n.portal_id = $1 AND n.phone_number_id = $2`,
    [portalId, phoneNumberId],
  );
  const { portal_uninstalled: uninstalled, ...row } = r.rows[0]!;
  return { uninstalled, ...(row.id == null ? {} : { number: row as NumberRow }) };
}

export async function portalNumbers(q: Queryable, portalId: number): Promise<NumberRow[]> {
  const r = await q.query<NumberRow>(`SELECT * FROM whatsapp_numbers WHERE portal_id = $1 ORDER BY created_at, id`, [portalId]);
  return r.rows;
}

/** A number of the WABA whose token still works (template sync and WABA-level calls). */
export async function numberForWaba(q: Queryable, wabaId: string): Promise<NumberRow | undefined> {
  const r = await q.query<NumberRow>(
    `SELECT * FROM whatsapp_numbers WHERE waba_id = $1 ORDER BY (token_status = 'valid') DESC, updated_at DESC LIMIT 1`,
    [wabaId],
  );
  return r.rows[0];
}

export async function flagNeedsToken(q: Queryable, phoneNumberId: string, reason: string): Promise<void> {
  await q.query(`UPDATE whatsapp_numbers SET token_status = 'needs_token', token_error = $2, updated_at = now() WHERE phone_number_id = $1`, [
    phoneNumberId,
    reason.slice(0, 500),
  ]);
}

/** The extension API's view of a number (never the token). */
export function numberJson(n: NumberRow) {
  return {
    phoneNumberId: n.phone_number_id,
    wabaId: n.waba_id,
    label: n.label,
    displayPhoneNumber: n.display_phone_number,
    verifiedName: n.verified_name,
    qualityRating: (n.quality_rating as 'GREEN' | 'YELLOW' | 'RED' | 'UNKNOWN' | null) ?? null,
    tokenStatus: n.token_status,
    throughputPerSecond: n.throughput_per_second,
    messagingLimitTier: n.messaging_limit_tier,
    templatesSyncedAt: n.templates_synced_at ? n.templates_synced_at.toISOString() : null,
  };
}
