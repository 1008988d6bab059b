import { randomUUID } from 'node:crypto';
import type { AppContext } from '../app-context.js';
import { OAuthError, PortalNotConnectedError } from './errors.js';
import type { OAuthApi, TokenResponse } from './oauth-api.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface TokenOptions {
  /** Refresh this long before the access token expires (HubSpot's live 30 minutes). Default 5 min. */
  refreshMarginMs?: number;
  /** How long one refresher holds the portal's refresh lease. Default 30 s. */
  leaseMs?: number;
  /** How long a caller waits for another instance's refresh. Default 20 s. */
  waitMs?: number;
}

interface PortalTokenRow {
  status: string;
  access_token_enc: string | null;
  refresh_token_enc: string | null;
  access_token_expires_at: Date | null;
}

/**
 * Access tokens per portal, refreshed ahead of expiry exactly once even when many callers in many
 * instances need one at the same moment: in-process callers share one promise; across instances
 * the refresher is whoever sets the portal's lease (`token_refreshing_until`) in one UPDATE — no
 * transaction is held while HubSpot answers. `invalid_grant` uninstalls the portal and deletes its tokens.
 */
export class TokenManager {
  readonly instanceId = randomUUID();
  private readonly cache = new Map<number, { token: string; enc: string; expiresAt: number }>();
  private readonly inflight = new Map<number, Promise<string>>();
  private readonly margin: number;
  private readonly leaseMs: number;
  private readonly waitMs: number;
  refreshes = 0;

  constructor(
    private readonly ctx: AppContext,
    private readonly oauth: OAuthApi,
    opts: TokenOptions = {},
  ) {
    this.margin = opts.refreshMarginMs ?? 5 * 60_000;
    this.leaseMs = opts.leaseMs ?? 30_000;
    this.waitMs = opts.waitMs ?? 20_000;
  }

  private now(): number {
    return this.ctx.clock.now().getTime();
  }

  /**
   * A valid access token for the portal. `stale`: a token HubSpot just refused with 401 — get a
   * newer one (refreshing unless someone already did).
   */
  async accessToken(portalId: number, stale?: string): Promise<string> {
    const c = this.cache.get(portalId);
    if (c && c.token !== stale && c.expiresAt - this.now() > this.margin) return c.token;
    const fresh = await this.readFresh(portalId, stale);
    if (fresh) return fresh;
    let p = this.inflight.get(portalId);
    if (!p) {
      p = this.refresh(portalId, stale).finally(() => this.inflight.delete(portalId));
      this.inflight.set(portalId, p);
    }
    return p;
  }

  forget(portalId: number): void {
    this.cache.delete(portalId);
  }

  private async row(portalId: number): Promise<PortalTokenRow> {
    const r = await this.ctx.db.query<PortalTokenRow>(
      'SELECT status, access_token_enc, refresh_token_enc, access_token_expires_at FROM portals WHERE id = $1',
      [portalId],
    );
    const row = r.rows[0];
    if (!row) throw new PortalNotConnectedError(portalId, 'the app is not installed');
    if (row.status !== 'installed') throw new PortalNotConnectedError(portalId, 'the app was uninstalled');
    if (!row.refresh_token_enc) throw new PortalNotConnectedError(portalId, 'no OAuth tokens stored');
    return row;
  }

  /** The stored token when it is valid for longer than the margin (and is not the stale one). */
  private async readFresh(portalId: number, stale?: string): Promise<string | null> {
    const row = await this.row(portalId);
    if (!row.access_token_enc || !row.access_token_expires_at) return null;
    const expiresAt = row.access_token_expires_at.getTime();
    if (expiresAt - this.now() <= this.margin) return null;
    const token = this.ctx.secrets.decrypt(row.access_token_enc);
    if (token === stale) return null;
    this.cache.set(portalId, { token, enc: row.access_token_enc, expiresAt });
    return token;
  }

  private async refresh(portalId: number, stale?: string): Promise<string> {
    const deadline = Date.now() + this.waitMs;
    const staleEnc = stale !== undefined && this.cache.get(portalId)?.token === stale ? this.cache.get(portalId)!.enc : null;
    for (let i = 0; ; i++) {
      const now = this.now();
      const claim = await this.ctx.db.query<{ refresh_token_enc: string }>(
        `UPDATE portals SET token_refreshing_until = $2, token_refresh_owner = $3
          WHERE id = $1 AND status = 'installed' AND refresh_token_enc IS NOT NULL
            AND (token_refreshing_until IS NULL OR token_refreshing_until < $4)
            AND (access_token_enc IS NULL OR access_token_expires_at IS NULL OR access_token_expires_at <= $5
                 OR ($6::text IS NOT NULL AND access_token_enc = $6) OR $7::boolean)
          RETURNING refresh_token_enc`,
        [portalId, new Date(now + this.leaseMs), this.instanceId, new Date(now), new Date(now + this.margin), staleEnc, stale !== undefined && staleEnc === null],
      );
      if (claim.rows[0]) return this.doRefresh(portalId, claim.rows[0].refresh_token_enc);
      // Someone else is refreshing (or just did): use their token when it appears.
      const fresh = await this.readFresh(portalId, stale);
      if (fresh) return fresh;
      if (Date.now() > deadline) throw new Error(`HubSpot token refresh for portal ${portalId} by another instance did not finish in time`);
      await sleep(Math.min(50 * 2 ** i, 500));
    }
  }

  private async doRefresh(portalId: number, refreshEnc: string): Promise<string> {
    let t: TokenResponse;
    try {
      this.refreshes++;
      t = await this.oauth.refresh(this.ctx.secrets.decrypt(refreshEnc));
    } catch (err) {
      if (err instanceof OAuthError && (err.error === 'invalid_grant' || err.error === 'BAD_REFRESH_TOKEN')) {
        await this.markUninstalled(portalId, 'refresh token refused (invalid_grant)');
        throw new PortalNotConnectedError(portalId, 'HubSpot refused the refresh token (invalid_grant); the portal must reinstall the app');
      }
      await this.ctx.db.query(
        'UPDATE portals SET token_refreshing_until = NULL, token_refresh_owner = NULL WHERE id = $1 AND token_refresh_owner = $2',
        [portalId, this.instanceId],
      );
      throw err;
    }
    const expiresAt = this.now() + t.expires_in * 1000;
    const accessEnc = this.ctx.secrets.encrypt(t.access_token);
    await this.ctx.db.query(
      `UPDATE portals SET access_token_enc = $2, refresh_token_enc = COALESCE($3, refresh_token_enc), access_token_expires_at = $4,
         token_refreshing_until = NULL, token_refresh_owner = NULL, updated_at = now()
       WHERE id = $1 AND status = 'installed'`,
      [portalId, accessEnc, t.refresh_token ? this.ctx.secrets.encrypt(t.refresh_token) : null, new Date(expiresAt)],
    );
    this.cache.set(portalId, { token: t.access_token, enc: accessEnc, expiresAt });
    this.ctx.logger.info({ portalId }, 'hubspot access token refreshed');
    return t.access_token;
  }

  /** The install is gone: tokens deleted, nothing is sent for this portal until it reinstalls. */
  async markUninstalled(portalId: number, reason: string): Promise<void> {
    await this.ctx.db.query(
      `UPDATE portals SET status = 'uninstalled', uninstalled_at = $2, access_token_enc = NULL, refresh_token_enc = NULL,
         access_token_expires_at = NULL, token_refreshing_until = NULL, token_refresh_owner = NULL, updated_at = now()
       WHERE id = $1`,
      [portalId, this.ctx.clock.now()],
    );
    this.cache.delete(portalId);
    this.ctx.logger.warn({ portalId, reason }, 'hubspot portal marked uninstalled');
  }
}
