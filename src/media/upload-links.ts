// Links to an upload page: `/upload/<id>.<exp>.<sig>`, HMAC-signed, valid for a few minutes, good
// for one upload. The card (attachments) or the app page (campaign CSVs, `purpose` 'campaign-csv',
// path /upload/audience/…) gets one through hubspot.fetch (signed by HubSpot) and opens it in an
// iframe, so the file's bytes go straight to us, never through hubspot.fetch.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { Database } from '../db/database.js';

export const UPLOAD_LINK_TTL_MS = 10 * 60 * 1000;

export type UploadPurpose = 'attachment' | 'campaign-csv';

export interface UploadGrant {
  id: string;
  portalId: number;
  userId: number;
  /** The contact an attachment goes to (purpose 'attachment'). */
  hubspotContactId: string;
  /** What the upload is for otherwise (a campaign audience's id). */
  subject: string | null;
  expiresAt: Date;
}

interface Row {
  id: string;
  portal_id: string | number;
  user_id: string | number;
  hubspot_contact_id: string | null;
  subject: string | null;
  expires_at: Date;
  used_at: Date | null;
}

const grantOf = (r: Row): UploadGrant => ({
  id: r.id, portalId: Number(r.portal_id), userId: Number(r.user_id), hubspotContactId: r.hubspot_contact_id ?? '', subject: r.subject, expiresAt: r.expires_at,
});

export class UploadLinks {
  constructor(
    private readonly d: { db: Database; clock: Clock; key: Buffer; publicBaseUrl: string; ttlMs?: number },
  ) {}

  private sign(id: string, exp: number): string {
    return createHmac('sha256', this.d.key).update(`upload:${id}.${exp}`).digest('base64url');
  }

  /** A new link for this caller and contact (an attachment), or for another purpose and its subject. */
  async create(p: { portalId: number; userId: number; hubspotContactId?: string; purpose?: UploadPurpose; subject?: string }): Promise<{ url: string; expiresAt: string }> {
    const id = randomBytes(18).toString('base64url');
    const exp = this.d.clock.now().getTime() + (this.d.ttlMs ?? UPLOAD_LINK_TTL_MS);
    const purpose = p.purpose ?? 'attachment';
    await this.d.db.query('INSERT INTO upload_links (id, portal_id, user_id, hubspot_contact_id, expires_at, purpose, subject) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
      id, p.portalId, p.userId, p.hubspotContactId ?? null, new Date(exp), purpose, p.subject ?? null,
    ]);
    const base = this.d.publicBaseUrl.replace(/\/+$/, '');
    const path = purpose === 'attachment' ? '/upload' : '/upload/audience';
    return { url: `${base}${path}/${id}.${exp}.${this.sign(id, exp)}`, expiresAt: new Date(exp).toISOString() };
  }

  /** The link's id when the token is well formed, correctly signed and not expired. */
  private verify(token: string): string | null {
    const m = /^([A-Za-z0-9_-]{10,64})\.(\d{10,16})\.([A-Za-z0-9_-]{20,100})$/.exec(token);
    if (!m) return null;
    const [, id, expS, sig] = m;
    const want = Buffer.from(this.sign(id!, Number(expS)));
    const got = Buffer.from(sig!);
    if (want.length !== got.length || !timingSafeEqual(want, got)) return null;
    return Number(expS) > this.d.clock.now().getTime() ? id! : null;
  }

  /** The grant behind a still usable link (to draw the page), without using it up. */
  async peek(token: string, purpose: UploadPurpose = 'attachment'): Promise<UploadGrant | null> {
    const id = this.verify(token);
    if (!id) return null;
    const r = await this.d.db.query<Row>('SELECT * FROM upload_links WHERE id = $1 AND used_at IS NULL AND expires_at > $2 AND purpose = $3', [id, this.d.clock.now(), purpose]);
    return r.rows[0] ? grantOf(r.rows[0]) : null;
  }

  /** Uses the link up (atomically: two uploads at once, one wins). Null when invalid, expired or used. */
  async consume(token: string, purpose: UploadPurpose = 'attachment'): Promise<UploadGrant | null> {
    const id = this.verify(token);
    if (!id) return null;
    const now = this.d.clock.now();
    const r = await this.d.db.query<Row>('UPDATE upload_links SET used_at = $2 WHERE id = $1 AND used_at IS NULL AND expires_at > $2 AND purpose = $3 RETURNING *', [id, now, purpose]);
    return r.rows[0] ? grantOf(r.rows[0]) : null;
  }

  /** Makes a used link usable again when the send failed (a too large file, a closed window…), until it expires. */
  async release(id: string): Promise<void> {
    await this.d.db.query('UPDATE upload_links SET used_at = NULL WHERE id = $1', [id]);
  }
}
