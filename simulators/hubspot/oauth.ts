// OAuth: the install (authorize) page, the 2026-03 token / introspect / revoke endpoints, and
// developer-initiated uninstall.
import express, { Router, type Request, type Response } from 'express';
import { countCall, SCOPES, authOf, type Guard } from './auth.js';
import { correlationId } from './errors.js';
import { newAccessToken, newAuthCode, newRefreshToken } from './store.js';
import type { Portal, SimState } from './types.js';

export const AUTH_CODE_TTL_MS = 5 * 60_000;

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const splitScopes = (s: unknown): string[] =>
  typeof s === 'string' ? s.split(/[\s,]+/).map((x) => x.trim()).filter(Boolean) : [];

function page(res: Response, status: number, title: string, body: string): void {
  res.status(status).type('html').send(
    `<!doctype html><html><head><meta charset="utf-8"><title>${esc(title)}</title></head>` +
      `<body><main><h1>${esc(title)}</h1>${body}</main></body></html>`,
  );
}

interface AuthorizeParams {
  clientId: string;
  redirectUri: string;
  scopes: string[];
  optionalScopes: string[];
  state?: string;
}

/** Validates the authorize parameters; returns an error text for HubSpot's error page. */
function checkAuthorize(state: SimState, q: Record<string, unknown>): AuthorizeParams | string {
  const clientId = typeof q.client_id === 'string' ? q.client_id : '';
  if (clientId !== state.opts.clientId) return `Invalid client_id: ${clientId || '(missing)'}`;
  const redirectUri = typeof q.redirect_uri === 'string' ? q.redirect_uri : '';
  if (!redirectUri) return 'Missing redirect_uri';
  if (state.opts.redirectUris.length && !state.opts.redirectUris.includes(redirectUri)) {
    return `The redirect_uri ${redirectUri} does not match the app's redirect URLs`;
  }
  const scopes = splitScopes(q.scope);
  if (scopes.length === 0) return 'Missing scope';
  const missing = state.opts.requiredScopes.filter((s) => !scopes.includes(s));
  if (missing.length) {
    return `Authorization failed because there is a mismatch between the scopes in the install URL and the app's configured scopes (missing: ${missing.join(' ')})`;
  }
  return {
    clientId,
    redirectUri,
    scopes,
    optionalScopes: splitScopes(q.optional_scope),
    state: typeof q.state === 'string' ? q.state : undefined,
  };
}

function withQuery(url: string, params: Record<string, string | undefined>): string {
  const qs = Object.entries(params)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${encodeURIComponent(v!)}`)
    .join('&');
  return url + (url.includes('?') ? '&' : '?') + qs;
}

function installTarget(state: SimState, accountId?: number): { portal: Portal; userId: number } {
  if (accountId !== undefined) {
    const portal = state.portals.get(accountId);
    if (portal) return { portal, userId: portal.users[0].userId };
  }
  const pending = state.pendingInstall;
  if (pending && state.portals.has(pending.portalId)) {
    return { portal: state.portals.get(pending.portalId)!, userId: pending.userId };
  }
  const portal = state.portals.values().next().value ?? state.createPortal();
  return { portal, userId: portal.users[0].userId };
}

/** The token endpoint's error: RFC 6749 fields plus HubSpot's legacy status/message. */
function tokenError(res: Response, error: string, description: string, legacyStatus: string, http = 400): void {
  res.status(http).json({
    error,
    error_description: description,
    status: legacyStatus,
    message: description,
    correlationId: correlationId(),
  });
}

export function issueTokens(state: SimState, portal: Portal, userId: number, scopes: string[], refreshToken?: string) {
  const now = state.opts.now();
  let refresh = refreshToken;
  if (!refresh) {
    refresh = newRefreshToken();
    portal.tokens.refresh.set(refresh, { token: refresh, portalId: portal.portalId, userId, scopes, issuedAt: now, revoked: false });
    state.tokenIndex.set(refresh, portal.portalId);
  }
  const access = newAccessToken();
  const ttl = state.opts.accessTokenTtlSeconds;
  portal.tokens.access.set(access, {
    token: access, portalId: portal.portalId, userId, scopes, issuedAt: now, expiresAt: now + ttl * 1000, revoked: false,
    refreshToken: refresh,
  });
  state.tokenIndex.set(access, portal.portalId);
  return {
    token_type: 'bearer',
    access_token: access,
    refresh_token: refresh,
    expires_in: ttl,
    token_use: 'access_token',
    hub_id: portal.portalId,
    user_id: userId,
    scopes,
  };
}

export function revokeAllTokens(portal: Portal): void {
  for (const t of portal.tokens.access.values()) t.revoked = true;
  for (const t of portal.tokens.refresh.values()) t.revoked = true;
}

/** Client authentication shared by token, introspect and revoke. Returns false after answering. */
function checkClient(state: SimState, body: Record<string, unknown>, res: Response): boolean {
  if (body.client_id !== state.opts.clientId) {
    tokenError(res, 'invalid_client', 'missing or unknown client id', 'BAD_CLIENT_ID');
    return false;
  }
  if (body.client_secret !== state.opts.clientSecret) {
    tokenError(res, 'invalid_client', 'client secret is incorrect', 'BAD_CLIENT_SECRET');
    return false;
  }
  return true;
}

/** HubSpot's signed_access_token.scopes is an opaque bitmap string; apps must not parse it. */
const opaqueScopes = (scopes: string[]) => Buffer.from(scopes.join(' ')).toString('base64');

export function oauthRouter(state: SimState, guard: Guard): Router {
  const r = Router();
  const form = express.urlencoded({ extended: false });
  const now = () => state.opts.now();

  const showAuthorize = (req: Request, res: Response, accountId?: number) => {
    countCall(state, 'oauth.authorize');
    const p = checkAuthorize(state, req.query as Record<string, unknown>);
    if (typeof p === 'string') return page(res, 400, 'Authorization error', `<p role="alert">${esc(p)}</p>`);
    const { portal, userId } = installTarget(state, accountId);
    const user = portal.users.find((u) => u.userId === userId) ?? portal.users[0];
    const hidden = (name: string, value: string | undefined) =>
      value === undefined ? '' : `<input type="hidden" name="${name}" value="${esc(value)}">`;
    const scopes = [...p.scopes, ...p.optionalScopes].map((s) => `<li>${esc(s)}</li>`).join('');
    page(res, 200, `Connect ${state.opts.appName} to HubSpot`,
      `<p>${esc(state.opts.appName)} is requesting access to HubSpot account <strong>${esc(portal.domain)}</strong> ` +
      `(${portal.portalId}) as ${esc(user.email)}.</p><ul>${scopes}</ul>` +
      `<form method="post" action="/oauth/authorize">` +
      hidden('client_id', p.clientId) + hidden('redirect_uri', p.redirectUri) + hidden('scope', p.scopes.join(' ')) +
      hidden('optional_scope', p.optionalScopes.length ? p.optionalScopes.join(' ') : undefined) + hidden('state', p.state) +
      hidden('portalId', String(portal.portalId)) + hidden('userId', String(user.userId)) +
      `<button type="submit" name="decision" value="approve">Connect app</button> ` +
      `<button type="submit" name="decision" value="deny">Cancel</button></form>`);
  };

  r.get('/oauth/authorize', (req, res) => showAuthorize(req, res));
  r.get('/oauth/:accountId/authorize', (req, res) => showAuthorize(req, res, Number(req.params.accountId)));

  r.post('/oauth/authorize', form, (req, res) => {
    countCall(state, 'oauth.authorize.approve');
    const body = (req.body ?? {}) as Record<string, unknown>;
    const p = checkAuthorize(state, body);
    if (typeof p === 'string') return page(res, 400, 'Authorization error', `<p role="alert">${esc(p)}</p>`);
    if (body.decision === 'deny') {
      return res.redirect(302, withQuery(p.redirectUri, {
        error: 'access_denied', error_description: 'The user denied the request', state: p.state,
      }));
    }
    const portal = state.portals.get(Number(body.portalId));
    const user = portal?.users.find((u) => u.userId === Number(body.userId));
    if (!portal || !user) return page(res, 400, 'Authorization error', '<p role="alert">Unknown account or user</p>');
    const code = newAuthCode();
    state.codes.set(code, {
      code, clientId: p.clientId, redirectUri: p.redirectUri, portalId: portal.portalId, userId: user.userId,
      scopes: [...new Set([...p.scopes, ...p.optionalScopes])], expiresAt: now() + AUTH_CODE_TTL_MS, used: false,
    });
    if (!portal.installed) {
      portal.installed = true;
      portal.installedAt = now();
      portal.installingUserId = user.userId;
      portal.uninstalledAt = undefined;
    }
    res.redirect(302, withQuery(p.redirectUri, { code, state: p.state }));
  });

  const token = (req: Request, res: Response) => {
    countCall(state, 'oauth.token');
    const body = (req.body ?? {}) as Record<string, unknown>;
    const grant = body.grant_type;
    if (grant !== 'authorization_code' && grant !== 'refresh_token') {
      return tokenError(res, 'unsupported_grant_type', `grant_type must be authorization_code or refresh_token`, 'BAD_GRANT_TYPE');
    }
    if (!checkClient(state, body, res)) return;
    if (grant === 'authorization_code') {
      const code = state.codes.get(String(body.code ?? ''));
      if (!code || code.used || code.expiresAt <= now() || code.clientId !== body.client_id) {
        return tokenError(res, 'invalid_grant', 'missing or unknown auth code', 'BAD_AUTH_CODE');
      }
      if (code.redirectUri !== body.redirect_uri) {
        return tokenError(res, 'invalid_grant', 'redirect_uri does not match the one used for the authorization', 'BAD_REDIRECT_URI');
      }
      code.used = true;
      const portal = state.portals.get(code.portalId)!;
      if (!portal.installed) return tokenError(res, 'invalid_grant', 'missing or unknown auth code', 'BAD_AUTH_CODE');
      return res.json(issueTokens(state, portal, code.userId, code.scopes));
    }
    const rt = String(body.refresh_token ?? '');
    const portal = state.portals.get(state.tokenIndex.get(rt) ?? -1);
    const rec = portal?.tokens.refresh.get(rt);
    if (!portal || !rec || rec.revoked || !portal.installed) {
      return tokenError(res, 'invalid_grant', 'refresh token is invalid, expired or revoked', 'BAD_REFRESH_TOKEN');
    }
    res.json(issueTokens(state, portal, rec.userId, rec.scopes, rt));
  };
  r.post('/oauth/2026-03/token', form, token);
  r.post('/oauth/v3/token', form, token);

  r.post('/oauth/2026-03/token/introspect', form, (req, res) => {
    countCall(state, 'oauth.introspect');
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (!checkClient(state, body, res)) return;
    const tok = String(body.token ?? '');
    const portal = state.portals.get(state.tokenIndex.get(tok) ?? -1);
    if (!portal || !portal.installed) return res.json({ active: false });
    const user = (id: number) => portal.users.find((u) => u.userId === id)?.email ?? null;
    const common = { app_id: state.opts.appId, client_id: state.opts.clientId, hub_id: portal.portalId, hub_domain: portal.domain };
    const access = portal.tokens.access.get(tok);
    if (access) {
      if (access.revoked || access.expiresAt <= now()) return res.json({ active: false });
      return res.json({
        active: true, ...common, user: user(access.userId), user_id: access.userId, scopes: access.scopes,
        expires_in: Math.floor((access.expiresAt - now()) / 1000), is_private_distribution: false, token_use: 'access_token',
        signed_access_token: {
          expiresAt: access.expiresAt, scopes: opaqueScopes(access.scopes), hubId: portal.portalId, userId: access.userId,
          appId: state.opts.appId, installingUserId: portal.installingUserId ?? access.userId, isUserLevel: false,
          isServiceAccount: false, isPrivateDistribution: false, hublet: 'na1',
        },
      });
    }
    const refresh = portal.tokens.refresh.get(tok);
    if (!refresh || refresh.revoked) return res.json({ active: false });
    res.json({
      active: true, ...common, user: user(refresh.userId), user_id: refresh.userId, scopes: refresh.scopes,
      is_private_distribution: false, token_use: 'refresh_token',
    });
  });

  r.post('/oauth/2026-03/token/revoke', form, (req, res) => {
    countCall(state, 'oauth.revoke');
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (!checkClient(state, body, res)) return;
    const tok = String(body.token ?? '');
    const portal = state.portals.get(state.tokenIndex.get(tok) ?? -1);
    const rec = portal?.tokens.refresh.get(tok) ?? portal?.tokens.access.get(tok);
    if (rec) rec.revoked = true;
    res.status(200).end(); // RFC 7009: 200 whether or not the token was known
  });

  r.delete('/appinstalls/2026-03/external-install', guard('appinstalls.uninstall', { scopes: SCOPES.oauth }), (_req, res) => {
    const { portal } = authOf(res);
    portal.installed = false;
    portal.uninstalledAt = now();
    revokeAllTokens(portal);
    res.status(204).end();
  });

  return r;
}
