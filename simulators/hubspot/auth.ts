// Bearer-token authentication, scope checks, call counting and rate limiting for every API route.
import type { Request, RequestHandler, Response } from 'express';
import { apiError, HubSpotApiError } from './errors.js';
import type { RateLimiter } from './rate-limit.js';
import type { AuthContext, SimState } from './types.js';

export function countCall(state: SimState, kind: string): void {
  state.counters.total += 1;
  state.counters.byKind[kind] = (state.counters.byKind[kind] ?? 0) + 1;
}

const NO_CREDENTIALS =
  'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview';

export function authenticate(state: SimState, req: Request): AuthContext {
  const header = req.get('authorization') ?? '';
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!m) throw apiError(401, 'INVALID_AUTHENTICATION', NO_CREDENTIALS);
  const token = m[1];
  const portal = state.portals.get(state.tokenIndex.get(token) ?? -1);
  const rec = portal?.tokens.access.get(token);
  if (!portal || !rec || rec.revoked || !portal.installed) {
    throw apiError(401, 'INVALID_AUTHENTICATION', NO_CREDENTIALS);
  }
  const now = state.opts.now();
  if (now >= rec.expiresAt) {
    const minutes = Math.floor((now - rec.expiresAt) / 60_000);
    throw apiError(401, 'EXPIRED_AUTHENTICATION', `The OAuth token used to make this call expired ${minutes} minute(s) ago.`);
  }
  return { portal, token: rec };
}

export function missingScopes(anyOf: string[]): HubSpotApiError {
  return apiError(
    403,
    'MISSING_SCOPES',
    "This app hasn't been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes.",
    {
      errors: [{ message: 'One or more of the following scopes are required.', context: { requiredGranularScopes: anyOf } }],
      links: { scopes: 'https://developers.hubspot.com/scopes' },
    },
  );
}

export interface GuardOptions {
  /** any one of these scopes suffices */
  scopes: string[];
  /** CRM search: separate secondly limit, no rate-limit headers */
  search?: boolean;
}

export type Guard = (kind: string, o: GuardOptions) => RequestHandler;

export function makeGuard(state: SimState, limiter: RateLimiter): Guard {
  return (kind, o) => (req, res, next) => {
    countCall(state, kind);
    const auth = authenticate(state, req);
    if (!o.scopes.some((s) => auth.token.scopes.includes(s))) throw missingScopes(o.scopes);
    let headers: Record<string, string>;
    try {
      headers = limiter.check(auth.portal.portalId, state.opts.now(), o.search === true);
    } catch (e) {
      state.counters.rateLimited += 1;
      throw e;
    }
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    res.locals.auth = auth;
    next();
  };
}

export function authOf(res: Response): AuthContext {
  return res.locals.auth as AuthContext;
}

export const SCOPES = {
  contactsRead: ['crm.objects.contacts.read', 'crm.objects.contacts.write'],
  contactsWrite: ['crm.objects.contacts.write'],
  ownersRead: ['crm.objects.owners.read'],
  schemasRead: ['crm.schemas.contacts.read', 'crm.schemas.contacts.write'],
  schemasWrite: ['crm.schemas.contacts.write'],
  oauth: ['oauth'],
};
