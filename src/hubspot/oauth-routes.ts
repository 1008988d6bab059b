import { createHash, randomBytes } from 'node:crypto';
import type { Request, Response, Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../app-context.js';
import type { HubSpotCore } from './core.js';
import { OAuthError } from './errors.js';
import type { AppManifest } from './manifest.js';
import { errorPage, installedPage } from './pages.js';

export const SETUP_QUEUE = 'hubspot.portal.setup';
const STATE_TTL_MS = 10 * 60_000;

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

const callbackQuery = z.object({
  code: z.string().min(1).max(4000).optional(),
  state: z.string().min(1).max(200).optional(),
  error: z.string().max(200).optional(),
  error_description: z.string().max(2000).optional(),
});

function sendHtml(res: Response, status: number, html: string): void {
  res.status(status).set('Cache-Control', 'no-store').type('html').send(html);
}

/** The authorize URL: scopes exactly as app-hsmeta.json declares them. */
export function authorizeUrl(ctx: AppContext, manifest: AppManifest, redirectUri: string, state: string): string {
  const enc = encodeURIComponent;
  const params = [
    `client_id=${enc(ctx.config.hubspot.clientId)}`,
    `redirect_uri=${enc(redirectUri)}`,
    `scope=${enc(manifest.requiredScopes.join(' '))}`,
    ...(manifest.optionalScopes.length ? [`optional_scope=${enc(manifest.optionalScopes.join(' '))}`] : []),
    `state=${enc(state)}`,
  ];
  return `${ctx.config.hubspot.authBaseUrl}/oauth/authorize?${params.join('&')}`;
}

export function registerOAuthRoutes(
  ctx: AppContext,
  router: Router,
  core: HubSpotCore,
  manifest: AppManifest,
  afterInstall: (portalId: number) => Promise<void>,
): void {
  const installUrl = `${ctx.config.publicBaseUrl}/oauth/install`;

  router.get('/oauth/install', async (_req: Request, res: Response) => {
    const now = ctx.clock.now().getTime();
    const state = randomBytes(32).toString('base64url');
    await ctx.db.query('DELETE FROM hubspot_oauth_states WHERE expires_at < $1', [new Date(now)]);
    await ctx.db.query('INSERT INTO hubspot_oauth_states (state_hash, expires_at) VALUES ($1, $2)', [sha256(state), new Date(now + STATE_TTL_MS)]);
    res.set('Cache-Control', 'no-store').redirect(302, authorizeUrl(ctx, manifest, core.oauth.redirectUri, state));
  });

  router.get('/oauth/callback', async (req: Request, res: Response) => {
    const q = callbackQuery.safeParse(req.query);
    if (!q.success) return sendHtml(res, 400, errorPage('Installation failed', 'The link HubSpot sent us is malformed.', installUrl));
    const { code, state, error } = q.data;
    if (error) {
      const msg = error === 'access_denied' ? 'The installation was cancelled in HubSpot. Nothing was installed.' : `HubSpot reported: ${error}.`;
      return sendHtml(res, 400, errorPage('Installation cancelled', msg, installUrl));
    }
    if (!code || !state) return sendHtml(res, 400, errorPage('Installation failed', 'The link HubSpot sent us lacks its code or state.', installUrl));
    const used = await ctx.db.query<{ expires_at: Date }>('DELETE FROM hubspot_oauth_states WHERE state_hash = $1 RETURNING expires_at', [sha256(state)]);
    const row = used.rows[0];
    if (!row || row.expires_at.getTime() < ctx.clock.now().getTime()) {
      return sendHtml(res, 400, errorPage('Installation link expired', 'This installation link has expired or was already used. Please start again.', installUrl));
    }

    let portalId: number;
    try {
      const tokens = await core.oauth.exchangeCode(code);
      const info = await core.oauth.introspect(tokens.access_token);
      const hubId = Number(info.hub_id ?? tokens.hub_id);
      if (!info.active || !Number.isSafeInteger(hubId) || hubId <= 0) throw new OAuthError(400, 'invalid_token', 'the new access token is not active');
      portalId = hubId;
      const installer = Number(info.signed_access_token?.installingUserId ?? info.user_id ?? tokens.user_id) || null;
      const scopes = info.scopes ?? tokens.scopes ?? [];
      const now = ctx.clock.now();
      await ctx.db.tx(async (c) => {
        await c.query(
          `INSERT INTO portals (id, domain, status, installed_by_user_id, scopes, access_token_enc, refresh_token_enc,
             access_token_expires_at, installed_at, uninstalled_at)
           VALUES ($1, $2, 'installed', $3, $4, $5, $6, $7, $8, NULL)
           ON CONFLICT (id) DO UPDATE SET
             domain = COALESCE(EXCLUDED.domain, portals.domain), status = 'installed',
             installed_by_user_id = EXCLUDED.installed_by_user_id, scopes = EXCLUDED.scopes,
             access_token_enc = EXCLUDED.access_token_enc, refresh_token_enc = EXCLUDED.refresh_token_enc,
             access_token_expires_at = EXCLUDED.access_token_expires_at,
             installed_at = CASE WHEN portals.status = 'uninstalled' THEN EXCLUDED.installed_at ELSE portals.installed_at END,
             uninstalled_at = NULL, token_refreshing_until = NULL, token_refresh_owner = NULL, updated_at = now()`,
          [
            portalId,
            info.hub_domain ?? null,
            installer,
            scopes,
            ctx.secrets.encrypt(tokens.access_token),
            ctx.secrets.encrypt(tokens.refresh_token),
            new Date(now.getTime() + tokens.expires_in * 1000),
            now,
          ],
        );
        await c.query(`INSERT INTO hubspot_portal_state (portal_id) VALUES ($1) ON CONFLICT (portal_id) DO NOTHING`, [portalId]);
      });
      core.tokens.forget(portalId);
      ctx.logger.info({ portalId, installer }, 'hubspot app installed');
    } catch (err) {
      const oauth = err instanceof OAuthError;
      ctx.logger.warn({ err: oauth ? { error: err.error, status: err.status } : err }, 'hubspot install failed');
      const msg =
        oauth && err.error === 'invalid_grant'
          ? 'HubSpot did not accept the authorization (it may have expired). Please start again.'
          : 'We could not complete the connection with HubSpot. Please try again in a minute.';
      return sendHtml(res, oauth && err.status < 500 ? 400 : 502, errorPage('Installation failed', msg, installUrl));
    }

    // The app's contact properties: now if HubSpot answers, otherwise by a retried job.
    try {
      await core.setupPortal(portalId);
    } catch (err) {
      ctx.logger.warn({ err, portalId }, 'hubspot property setup deferred to a job');
      await ctx.jobs.send(SETUP_QUEUE, { portalId });
    }
    await afterInstall(portalId).catch((err) => ctx.logger.warn({ err, portalId }, 'hubspot post-install kick failed'));
    res.set('Cache-Control', 'no-store').redirect(302, `/oauth/installed?portalId=${portalId}`);
  });

  router.get('/oauth/installed', (req: Request, res: Response) => {
    const id = Number(req.query.portalId);
    sendHtml(
      res,
      200,
      installedPage({ appName: manifest.name, portalId: Number.isSafeInteger(id) && id > 0 ? id : undefined, hubspotAppUrl: ctx.config.hubspot.authBaseUrl }),
    );
  });
}
