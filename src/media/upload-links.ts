// Links to the attachment upload page: `/upload/<id>.<exp>.<sig>`, HMAC-signed, valid for a few
// minutes, good for one upload. The card gets one through hubspot.fetch (signed by HubSpot) and
// opens it in an iframe, so the file's bytes go straight to us, never through hubspot.fetch.
import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { Database } from '../db/database.js';
import { linkToken, verifyLinkToken } from './link-tokens.js';

export const UPLOAD_LINK_TTL_MS = 10 * 60 * 1000;

export interface UploadGrant {
  id: string;
  portalId: number;
  userId: number;
  hubspotContactId: string;
  expiresAt: Date;
}

interface Row {
  id: string;
  portal_id: string | number;
  user_id: string | number;
  hubspot_contact_id: string;
  expires_at: Date;
  used_at: Date | null;
}

const grantOf = (r: Row): UploadGrant => ({ id: r.id, portalId: Number(r.portal_id), userId: Number(r.user_id), hubspotContactId: r.hubspot_contact_id, expiresAt: r.expires_at });

export class UploadLinks {
  constructor(
    private readonly d: { db: Database; clock: Clock; key: Buffer; publicBaseUrl: string; ttlMs?: number },
  ) {}

  /** A new link for this caller and contact. */
  async create(p: { portalId: number; userId: number; hubspotContactId: string }): Promise<{ url: string; expiresAt: string }> {
    const id = randomBytes(18).toString('base64url');
    const exp = this.d.clock.now().getTime() + (this.d.ttlMs ?? UPLOAD_LINK_TTL_MS);
    await this.d.db.query('INSERT INTO upload_links (id, portal_id, user_id, hubspot_contact_id, expires_at) VALUES ($1, $2, $3, $4, $5)', [
      id, p.portalId, p.userId, p.hubspotContactId, new Date(exp),
    ]);
    const base = this.d.publicBaseUrl.replace(/\/+$/, '');
    return { url: `${base}/upload/${linkToken(this.d.key, 'upload', id, exp)}`, expiresAt: new Date(exp).toISOString() };
  }

  /** The link's id when the token is well formed, correctly signed and not expired. */
  private verify(token: string): string | null {
    return verifyLinkToken(this.d.key, 'upload', token, this.d.clock.now().getTime());
  }

  /** The grant behind a still usable link (to draw the page), without using it up. */
  async peek(token: string): Promise<UploadGrant | null> {
    const id = this.verify(token);
    if (!id) return null;
    const r = await this.d.db.query<Row>('SELECT * FROM upload_links WHERE id = $1 AND used_at IS NULL AND expires_at > $2', [id, this.d.clock.now()]);
    return r.rows[0] ? grantOf(r.rows[0]) : null;
  }

  /** Uses the link up (atomically: two uploads at once, one wins). Null when invalid, expired or used. */
  async consume(token: string): Promise<UploadGrant | null> {
    const id = this.verify(token);
    if (!id) return null;
    const now = this.d.clock.now();
    const r = await this.d.db.query<Row>('UPDATE upload_links SET used_at = $2 WHERE id = $1 AND used_at IS NULL AND expires_at > $2 RETURNING *', [id, now]);
    return r.rows[0] ? grantOf(r.rows[0]) : null;
  }

  /** Makes a used link usable again when the send failed (a too large file, a closed window…), until it expires. */
  async release(id: string): Promise<void> {
    await this.d.db.query('UPDATE upload_links SET used_at = NULL WHERE id = $1', [id]);
  }
}
