import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Queryable } from '../db/database.js';

export interface MediaObjectRow {
  id: number;
  portal_id: number;
  contact_id: number | null;
  message_id: number | null;
  direction: 'in' | 'out';
  phone_number_id: string;
  meta_media_id: string | null;
  mime_type: string | null;
  size_bytes: number | null;
  sha256: string | null;
  filename: string | null;
  storage_key: string | null;
  state: 'pending' | 'stored' | 'failed';
  error: string | null;
  created_at: Date;
}

/** First day (UTC) of the month `at` falls in, as YYYY-MM-DD. */
export function monthOf(at: Date): string {
  return `${at.toISOString().slice(0, 7)}-01`;
}

export async function attachmentUsage(q: Queryable, portalId: number, contactId: number, at: Date): Promise<number> {
  const r = await q.query(`SELECT bytes FROM attachment_usage WHERE portal_id = $1 AND contact_id = $2 AND month = $3`, [portalId, contactId, monthOf(at)]);
  return r.rows[0]?.bytes ?? 0;
}

/**
 * Adds `bytes` to the contact's usage of the month if it stays within `quotaBytes`, atomically
 * (concurrent sends cannot both slip under the quota). Returns the new total, or null when refused.
 */
export async function chargeAttachment(
  q: Queryable,
  p: { portalId: number; contactId: number; bytes: number; quotaBytes: number; at: Date },
): Promise<number | null> {
  if (p.bytes > p.quotaBytes) return null;
  const r = await q.query(
    `INSERT INTO attachment_usage (portal_id, contact_id, month, bytes) VALUES ($1, $2, $3, $4)
     ON CONFLICT (portal_id, contact_id, month) DO UPDATE SET bytes = attachment_usage.bytes + EXCLUDED.bytes
       WHERE attachment_usage.bytes + EXCLUDED.bytes <= $5
     RETURNING bytes`,
    [p.portalId, p.contactId, monthOf(p.at), p.bytes, p.quotaBytes],
  );
  return r.rows[0]?.bytes ?? null;
}

export async function getMediaObject(q: Queryable, id: number): Promise<MediaObjectRow | undefined> {
  const r = await q.query<MediaObjectRow>(`SELECT * FROM media_objects WHERE id = $1`, [id]);
  return r.rows[0];
}

export async function mediaOfMessage(q: Queryable, messageId: number): Promise<MediaObjectRow | undefined> {
  const r = await q.query<MediaObjectRow>(`SELECT * FROM media_objects WHERE message_id = $1 ORDER BY id LIMIT 1`, [messageId]);
  return r.rows[0];
}

/** Short-lived signed URLs to our own `GET /media/:id` (the card cannot send our auth headers to an <img>). */
export class MediaUrlSigner {
  constructor(private readonly key: Buffer) {}

  private sig(id: number, exp: number): string {
    return createHmac('sha256', this.key).update(`media:${id}:${exp}`).digest('base64url');
  }

  url(baseUrl: string, id: number, nowMs: number, ttlSeconds = 30 * 60): string {
    // Rounded up to a 5-minute step: the card polls, and a URL that stays the same lets it keep the image.
    const exp = Math.ceil((Math.floor(nowMs / 1000) + ttlSeconds) / 300) * 300;
    return `${baseUrl.replace(/\/$/, '')}/media/${id}?exp=${exp}&sig=${this.sig(id, exp)}`;
  }

  verify(id: number, exp: unknown, sig: unknown, nowMs: number): boolean {
    const e = Number(exp);
    if (!Number.isInteger(e) || typeof sig !== 'string' || e < Math.floor(nowMs / 1000)) return false;
    const want = Buffer.from(this.sig(id, e));
    const got = Buffer.from(sig);
    return want.length === got.length && timingSafeEqual(want, got);
  }
}

export async function storedMediaKeys(q: Queryable, contactIds: number[]): Promise<string[]> {
  if (contactIds.length === 0) return [];
  const r = await q.query<{ storage_key: string }>(
    'SELECT storage_key FROM media_objects WHERE contact_id = ANY($1::bigint[]) AND storage_key IS NOT NULL',
    [contactIds],
  );
  return r.rows.map((x) => x.storage_key);
}
