import type { Request, RequestHandler, Response, Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../app-context.js';
import type { HubSpotCore } from './core.js';
import { OAuthError } from './errors.js';
import type { AppManifest } from './manifest.js';
import { sendPage } from '../http/security-headers.js';
import { OAuthStates } from './oauth-states.js';
import { errorPage, installedPage } from './pages.js';

export const SETUP_QUEUE = 'hubspot.portal.setup';

const callbackQuery = z.object({
  code: z.string().min(1).max(4000).optional(),
  state: z.string().min(1).max(200).optional(),
  error: z.string().max(200).optional(),
  error_description: z.string().max(2000).optional(),
});

/** The install pages are top-level pages: never framed (clickjacking), nonce-only CSP (src/http/security-headers.ts). */
function sendHtml(res: Response, status: number, html: (nonce: string) => string): void {
  sendPage(res, html, { status });
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

interface OAuthDeps {
  ctx: AppContext;
  core: HubSpotCore;
  manifest: AppManifest;
  states: OAuthStates;
  installUrl: string;
  afterInstall: (portalId: number) => Promise<void>;
}

export function registerOAuthRoutes(
  ctx: AppContext,
  router: Router,
  core: HubSpotCore,
  manifest: AppManifest,
  afterInstall: (portalId: number) => Promise<void>,
): void {
  const d: OAuthDeps = { ctx, core, manifest, states: new OAuthStates(ctx), installUrl: `${ctx.config.publicBaseUrl}/oauth/install`, afterInstall };
  router.get('/oauth/install', installHandler(d));
  router.get('/oauth/callback', callbackHandler(d));
  router.get('/oauth/installed', installedHandler(d));
}

/** `GET /oauth/install`: a new single-use state, then HubSpot's authorize page. */
function installHandler(d: OAuthDeps): RequestHandler {
  return async (req: Request, res: Response) => {
    const created = await d.states.create(req.socket.remoteAddress ?? 'unknown');
    if ('retryAfterMs' in created) {
      res.setHeader('Retry-After', String(Math.max(1, Math.ceil(created.retryAfterMs / 1000))));
      return sendHtml(res, 429, errorPage('Too many installation attempts', 'Please wait a minute, then start the installation again.', d.installUrl));
    }
    res.set('Cache-Control', 'no-store').redirect(302, authorizeUrl(d.ctx, d.manifest, d.core.oauth.redirectUri, created.state));
  };
}

/** `GET /oauth/callback`: HubSpot's answer; the code becomes the portal's tokens. */
function callbackHandler(d: OAuthDeps): RequestHandler {
  return async (req: Request, res: Response) => {
    const q = callbackQuery.safeParse(req.query);
    if (!q.success) return sendHtml(res, 400, errorPage('Installation failed', 'The link HubSpot sent us is malformed.', d.installUrl));
    const { code, state, error } = q.data;
    if (error) {
      const msg = error === 'access_denied' ? 'The installation was cancelled in HubSpot. Nothing was installed.' : `HubSpot reported: ${error}.`;
      return sendHtml(res, 400, errorPage('Installation cancelled', msg, d.installUrl));
    }
    if (!code || !state) return sendHtml(res, 400, errorPage('Installation failed', 'The link HubSpot sent us lacks its code or state.', d.installUrl));
    if (!(await d.states.consume(state))) {
      return sendHtml(res, 400, errorPage('Installation link expired', 'This installation link has expired or was already used. Please start again.', d.installUrl));
    }
    let portalId: number;
    try {
      portalId = await storeInstallation(d, code);
    } catch (err) {
      const oauth = err instanceof OAuthError;
      d.ctx.logger.warn({ err: oauth ? { error: err.error, status: err.status } : err }, 'hubspot install failed');
      const msg =
        oauth && err.error === 'invalid_grant'
          ? 'HubSpot did not accept the authorization (it may have expired). Please start again.'
          : 'We could not complete the connection with HubSpot. Please try again in a minute.';
      return sendHtml(res, oauth && err.status < 500 ? 400 : 502, errorPage('Installation failed', msg, d.installUrl));
    }
    await setUpPortal(d, portalId);
    res.set('Cache-Control', 'no-store').redirect(302, `/oauth/installed?portalId=${portalId}`);
  };
}

/** Exchanges the code, checks the token and stores the portal with its (encrypted) tokens and installer. */
async function storeInstallation(d: OAuthDeps, code: string): Promise<number> {
  const { ctx, core } = d;
  const tokens = await core.oauth.exchangeCode(code);
  const info = await core.oauth.introspect(tokens.access_token);
  const portalId = Number(info.hub_id ?? tokens.hub_id);
  if (!info.active || !Number.isSafeInteger(portalId) || portalId <= 0) throw new OAuthError(400, 'invalid_token', 'the new access token is not active');
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
         installed_by_user_id = COALESCE(EXCLUDED.installed_by_user_id, portals.installed_by_user_id), scopes = EXCLUDED.scopes,
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
  return portalId;
}

/** The app's contact properties: now if HubSpot answers, otherwise by a retried job; then the post-install kick. */
async function setUpPortal(d: OAuthDeps, portalId: number): Promise<void> {
  try {
    await d.core.setupPortal(portalId);
  } catch (err) {
    d.ctx.logger.warn({ err, portalId }, 'hubspot property setup deferred to a job');
    await d.ctx.jobs.send(SETUP_QUEUE, { portalId });
  }
  await d.afterInstall(portalId).catch((err) => d.ctx.logger.warn({ err, portalId }, 'hubspot post-install kick failed'));
}

/** `GET /oauth/installed`: the next steps. */
function installedHandler(d: OAuthDeps): RequestHandler {
  return (req: Request, res: Response) => {
    const id = Number(req.query.portalId);
    const portalId = Number.isSafeInteger(id) && id > 0 ? id : undefined;
    sendHtml(res, 200, installedPage({ appName: d.manifest.name, portalId, hubspotAppUrl: d.ctx.config.hubspot.authBaseUrl }));
  };
}
