import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { z } from 'zod';
import type { AppContext } from '../app-context.js';
import { apiPortalKey, apiPortalSpec, rateLimited, SharedRateLimiter } from '../limits/index.js';
import { AppError } from './errors.js';

/**
 * HubSpot's request signature v3 (`X-HubSpot-Signature-v3`), used by `hubspot.fetch` from our UI
 * extensions and by HubSpot's webhooks:
 *
 *   base64(HMAC-SHA256(clientSecret, METHOD + baseUrl + path?query + rawBody + timestamp))
 *
 * The URL is rebuilt from a configured base URL (HUBSPOT_SIGNED_BASE_URLS, default PUBLIC_BASE_URL;
 * never from Host / X-Forwarded-* headers), so a proxy that terminates TLS in front of us does not
 * break the check. Several are allowed because HubSpot's local-dev proxy (`hs project dev`) signs
 * the *local* URL it maps to. The raw body is the exact bytes received (req.rawBody); GET has none.
 */

/** Older than this is refused (replay window). */
export const MAX_SIGNATURE_AGE_MS = 5 * 60 * 1000;
/** A timestamp this far in the future is tolerated (clock skew); beyond it the request is refused. */
export const MAX_FUTURE_SKEW_MS = 60 * 1000;

export interface Caller {
  portalId: number;
  /** HubSpot user id (not an owner id). */
  userId: number;
}

const callerKey = Symbol('hubspot.caller');
type WithCaller = Request & { [callerKey]?: Caller };

const positiveInt = z
  .string()
  .regex(/^[1-9]\d{0,15}$/, 'must be a positive whole number')
  .transform(Number)
  .refine((n) => Number.isSafeInteger(n), 'must be a positive whole number');

/**
 * `portalId`/`userId` of the signed query. The extension appends its own and HubSpot's proxy appends
 * HubSpot's, so each may appear twice: equal values are one caller, different values are refused
 * (a rep who edits the URL cannot name another portal, because HubSpot's value is there too).
 */
export function callerFromQuery(originalUrl: string): Caller | 'missing' | 'conflict' {
  const at = originalUrl.indexOf('?');
  const params = new URLSearchParams(at < 0 ? '' : originalUrl.slice(at + 1));
  const one = (name: string): number | 'missing' | 'conflict' => {
    const all = params.getAll(name);
    if (all.length === 0) return 'missing';
    const parsed = all.map((v) => positiveInt.safeParse(v));
    if (parsed.some((p) => !p.success)) return 'missing';
    const values = new Set(parsed.map((p) => p.data));
    return values.size === 1 ? [...values][0]! : 'conflict';
  };
  const portalId = one('portalId');
  const userId = one('userId');
  if (portalId === 'conflict' || userId === 'conflict') return 'conflict';
  if (portalId === 'missing' || userId === 'missing') return 'missing';
  return { portalId, userId };
}

/**
 * HubSpot decodes these escapes in the URI before signing (per its request-validation docs); we
 * accept a signature over either the URL as received or the URL with these decoded.
 */
const DECODED_ESCAPES: Record<string, string> = {
  '%3A': ':',
  '%2F': '/',
  '%3F': '?',
  '%40': '@',
  '%21': '!',
  '%24': '$',
  '%27': "'",
  '%28': '(',
  '%29': ')',
  '%2A': '*',
  '%2C': ',',
  '%3B': ';',
};

export function hubspotDecodeUri(uri: string): string {
  return uri.replace(/%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi, (m) => DECODED_ESCAPES[m.toUpperCase()] ?? m);
}

/** The v3 signature of one request (also used by tests and simulators to sign like HubSpot). */
export function signHubSpotV3(p: { method: string; url: string; body: string | Buffer; timestamp: string | number; secret: string }): string {
  const h = createHmac('sha256', p.secret);
  h.update(p.method.toUpperCase() + p.url, 'utf8');
  h.update(typeof p.body === 'string' ? Buffer.from(p.body, 'utf8') : p.body);
  h.update(String(p.timestamp), 'utf8');
  return h.digest('base64');
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  if (x.length !== y.length) {
    timingSafeEqual(x, x); // same work either way
    return false;
  }
  return timingSafeEqual(x, y);
}

export type SignatureFailure = 'missing' | 'timestamp' | 'expired' | 'future' | 'mismatch';

/** Checks one request; returns why it fails, or null when it is valid. */
export function verifyHubSpotV3(p: {
  method: string;
  /** The accepted base URLs (HUBSPOT_SIGNED_BASE_URLS), without trailing slashes. */
  baseUrls: readonly string[];
  /** req.originalUrl: path and query, exactly as received. */
  originalUrl: string;
  rawBody: Buffer | string | undefined;
  signature: string | undefined;
  timestamp: string | undefined;
  secret: string;
  nowMs: number;
}): SignatureFailure | null {
  if (!p.signature || !p.timestamp || !p.secret) return 'missing';
  if (!/^\d{1,16}$/.test(p.timestamp)) return 'timestamp';
  const ts = Number(p.timestamp);
  if (p.nowMs - ts > MAX_SIGNATURE_AGE_MS) return 'expired';
  if (ts - p.nowMs > MAX_FUTURE_SKEW_MS) return 'future';
  const method = p.method.toUpperCase();
  const body = method === 'GET' || method === 'HEAD' ? '' : (p.rawBody ?? '');
  const candidates: string[] = [];
  for (const base of p.baseUrls) {
    const url = base.replace(/\/+$/, '') + p.originalUrl;
    candidates.push(url);
    const decoded = hubspotDecodeUri(url);
    if (decoded !== url) candidates.push(decoded);
  }
  let ok = false;
  for (const u of candidates) {
    // Evaluate every candidate (no early exit) so timing does not depend on which one matched.
    const expected = signHubSpotV3({ method, url: u, body, timestamp: p.timestamp, secret: p.secret });
    ok = safeEqual(expected, p.signature) || ok;
  }
  return ok ? null : 'mismatch';
}

const unauthorized = (message: string) => new AppError(401, 'UNAUTHORIZED', message);

function header(req: Request, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export interface SignatureOptions {
  /**
   * true (default, for `/api/v1/*`): the query must name `portalId` and `userId`, and the portal
   * must have the app installed. false (for `/webhooks/hubspot`): signature only.
   */
  bindCaller?: boolean;
}

/**
 * Express middleware: refuses with 401 UNAUTHORIZED anything not signed by HubSpot with our client
 * secret within the last 5 minutes; binds the caller (`callerOf(req)`) from the signed query; and,
 * for extension calls, refuses with 403 FORBIDDEN a portal that has not installed the app (or
 * uninstalled it); and answers 429 RATE_LIMITED (with Retry-After) to a portal over its API budget.
 */
export function requireHubSpotSignature(ctx: AppContext, opts: SignatureOptions = {}): RequestHandler {
  const bindCaller = opts.bindCaller !== false;
  const limiter = new SharedRateLimiter(ctx.db.pool);
  const spec = apiPortalSpec(ctx.config.apiRateLimitPerMinute);
  return async (req, _res, next) => {
    try {
      const failure = verifyHubSpotV3({
        method: req.method,
        baseUrls: ctx.config.hubspot.signedBaseUrls,
        originalUrl: req.originalUrl,
        rawBody: req.rawBody,
        signature: header(req, 'x-hubspot-signature-v3'),
        timestamp: header(req, 'x-hubspot-request-timestamp'),
        secret: ctx.config.hubspot.clientSecret,
        nowMs: ctx.clock.now().getTime(),
      });
      if (failure) {
        req.log?.info({ reason: failure }, 'hubspot signature refused');
        throw unauthorized(
          failure === 'expired' || failure === 'future'
            ? 'The request signature has expired or its timestamp is out of range'
            : 'The request is not signed by HubSpot',
        );
      }
      if (!bindCaller) return next();
      const caller = callerFromQuery(req.originalUrl);
      if (caller === 'conflict') throw unauthorized('The signed request names two different portals or users');
      if (caller === 'missing') throw unauthorized('The signed request does not name its portalId and userId');
      const r = await ctx.db.query<{ status: string }>('SELECT status FROM portals WHERE id = $1', [caller.portalId]);
      if (r.rows[0]?.status !== 'installed') {
        throw new AppError(403, 'FORBIDDEN', 'The app is not installed on this HubSpot account; install it again to continue');
      }
      // Per portal, across instances (docs/limits.md): one runaway client cannot take the service from the others.
      const slot = await limiter.tryAcquire(apiPortalKey(caller.portalId), spec);
      if (!slot.ok) {
        req.log?.warn({ portalId: caller.portalId }, 'extension API rate limit reached');
        throw rateLimited(`This HubSpot account made more than ${ctx.config.apiRateLimitPerMinute} requests a minute to the app; try again shortly`, slot.retryAfterMs);
      }
      (req as WithCaller)[callerKey] = caller;
      next();
    } catch (err) {
      next(err);
    }
  };
}

/** The portal and user of a request that passed `requireHubSpotSignature` (throws 401 otherwise). */
export function callerOf(req: Request): Caller {
  const c = (req as WithCaller)[callerKey];
  if (!c) throw unauthorized('The request is not signed by HubSpot');
  return c;
}
