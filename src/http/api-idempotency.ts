import type { RequestHandler, Response } from 'express';
import type { AppContext } from '../app-context.js';
import { AppError } from './errors.js';
import { callerOf } from './signed-request.js';

/** How long a key and its first response are kept (docs/extension-api.md). */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * `Idempotency-Key` on mutating extension calls (HubSpot's proxy may retry once): the first request
 * with a key runs; a repeat within 24 h gets the stored response and does nothing else. A request
 * still running answers 409 IN_PROGRESS; a 5xx is not stored (the retry runs again). Mount after
 * `requireHubSpotSignature` (keys are per portal). Requests without the header run normally.
 */
export function idempotent(ctx: AppContext): RequestHandler {
  return async (req, res, next) => {
    try {
      if (req.method !== 'POST' && req.method !== 'PUT' && req.method !== 'PATCH' && req.method !== 'DELETE') return next();
      const key = req.get('Idempotency-Key');
      if (key === undefined) return next();
      if (!/^[\w.:-]{1,200}$/.test(key)) throw new AppError(422, 'VALIDATION', 'The Idempotency-Key header is not valid', { 'Idempotency-Key': '1–200 letters, digits, - _ . :' });
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
