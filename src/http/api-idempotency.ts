import type { Request, RequestHandler, Response } from 'express';
import type { AppContext } from '../app-context.js';
import { AppError } from './errors.js';
import { callerOf } from './signed-request.js';

/** How long a key and its first response are kept (docs/extension-api.md). */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

const KEY_FORMAT = /^[\w.:-]{1,200}$/;
const KEY_RULE = '1–200 letters, digits, - _ . :';

/**
 * The request's idempotency key: `idempotencyKey` in the JSON body (what `hubspot.fetch` can send:
 * HubSpot's proxy refuses every request header but Authorization) or the `Idempotency-Key` header
 * (other callers). The body field is removed here, so route schemas never see it.
 */
function takeKey(req: Request): string | undefined {
  const header = req.get('Idempotency-Key');
  const body = req.body as Record<string, unknown> | undefined;
  const inBody = body !== null && typeof body === 'object' && !Array.isArray(body) && 'idempotencyKey' in body;
  const fromBody = inBody ? body.idempotencyKey : undefined;
  if (inBody) delete body.idempotencyKey;
  if (header !== undefined && !KEY_FORMAT.test(header)) {
    throw new AppError(422, 'VALIDATION', 'The Idempotency-Key header is not valid', { 'Idempotency-Key': KEY_RULE });
  }
  if (inBody && (typeof fromBody !== 'string' || !KEY_FORMAT.test(fromBody))) {
    throw new AppError(422, 'VALIDATION', 'The idempotencyKey is not valid', { idempotencyKey: KEY_RULE });
  }
  if (header !== undefined && inBody && header !== fromBody) {
    throw new AppError(422, 'VALIDATION', 'The Idempotency-Key header and the body idempotencyKey differ', {
      idempotencyKey: 'Send one key, in the body or the header',
    });
  }
  return header ?? (fromBody as string | undefined);
}

/** The v3 signature of a request that carries no key (HMAC over method, URL, body and timestamp). */
function signatureKey(req: Request): string | undefined {
  const sig = req.get('X-HubSpot-Signature-v3');
  return sig ? `sig:${sig}` : undefined;
}

/**
 * One idempotency key per mutating extension call (HubSpot's proxy may retry once): the first request
 * with a key runs; a repeat within 24 h gets the stored response and does nothing else. A request
 * still running answers 409 IN_PROGRESS; a 5xx is not stored (the retry runs again). Mount after
 * `requireHubSpotSignature` (keys are per portal). A request without a key is keyed by its HubSpot
 * signature: a captured signed request replayed within the signature's 5 minutes (same bytes, same
 * signature) gets the first answer and does nothing again (issue 17).
 */
export function idempotent(ctx: AppContext): RequestHandler {
  return async (req, res, next) => {
    try {
      if (req.method !== 'POST' && req.method !== 'PUT' && req.method !== 'PATCH' && req.method !== 'DELETE') return next();
      const key = takeKey(req) ?? signatureKey(req);
      if (key === undefined) return next();
      const { portalId } = callerOf(req);
      const now = ctx.clock.now();
      const scoped = `${req.method} ${req.path} ${key}`;
      await ctx.db.query('DELETE FROM idempotency_keys WHERE portal_id = $1 AND key = $2 AND created_at < $3', [
        portalId,
        scoped,
        new Date(now.getTime() - IDEMPOTENCY_TTL_MS),
      ]);
      const claim = await ctx.db.query(
        `INSERT INTO idempotency_keys (portal_id, key, status_code, response, created_at) VALUES ($1, $2, 0, '{}', $3)
         ON CONFLICT (portal_id, key) DO NOTHING RETURNING 1`,
        [portalId, scoped, now],
      );
      if (!claim.rowCount) {
        const prev = await ctx.db.query<{ status_code: number; response: unknown }>('SELECT status_code, response FROM idempotency_keys WHERE portal_id = $1 AND key = $2', [
          portalId,
          scoped,
        ]);
        const row = prev.rows[0];
        if (!row || row.status_code === 0) {
          throw new AppError(409, 'IN_PROGRESS', 'This action is still being processed; try again in a moment');
        }
        res.setHeader('Idempotent-Replayed', 'true');
        res.status(row.status_code).json(row.response);
        return;
      }
      res.locals.idempotencyKey = key;
      const send = res.json.bind(res) as Response['json'];
      res.json = ((body: unknown) => {
        const status = res.statusCode;
        const persist =
          status >= 500
            ? ctx.db.query('DELETE FROM idempotency_keys WHERE portal_id = $1 AND key = $2', [portalId, scoped])
            : ctx.db.query('UPDATE idempotency_keys SET status_code = $3, response = $4 WHERE portal_id = $1 AND key = $2', [
                portalId,
                scoped,
                status,
                JSON.stringify(body ?? null),
              ]);
        persist
          .catch((err) => req.log?.error({ err }, 'idempotency key not stored'))
          .finally(() => send(body));
        return res;
      }) as Response['json'];
      next();
    } catch (err) {
      next(err);
    }
  };
}
