import express, { type Request, type Response, type Router } from 'express';
import type { AppContext } from '../app-context.js';
import { AckBatcher } from './ack-batcher.js';
import { drainKeyOf, wakeLanes } from './drain.js';
import { isValidMetaSignature, safeEqual } from './signature.js';

/**
 * Stores verified POSTs (exact bytes, received time, the number they are for) and wakes their
 * number's drain in one transaction, so an acknowledged event is never lost and never processed without being stored.
 * The bytes go in a BYTEA column: any body (a NUL byte, invalid UTF-8) stores, so one odd POST
 * cannot fail the group-commit transaction of its neighbours. Returns the event ids, in order.
 */
export async function storeWebhookEvents(ctx: AppContext, raws: Buffer[]): Promise<number[]> {
  const keys = raws.map(drainKeyOf);
  return ctx.db.tx(async (c) => {
    const r = await c.query<{ id: string }>(
      `INSERT INTO webhook_events (raw_body, number_key, lane)
       SELECT b, k, l FROM unnest($1::bytea[], $2::text[], $3::smallint[]) WITH ORDINALITY AS t(b, k, l, n) ORDER BY n RETURNING id`,
      [raws, keys.map((k) => k.numberKey), keys.map((k) => k.lane)],
    );
    // One wake-up per lane in the batch, in one statement (drain.ts); a lane already waiting for
    // its drain absorbs it (singleton key on a 'short' queue), so a burst costs a few jobs, not one per POST.
    await wakeLanes(ctx, keys, c);
    return r.rows.map((x) => Number(x.id)).sort((a, b) => a - b);
  });
}

export async function storeWebhookEvent(ctx: AppContext, raw: Buffer): Promise<number> {
  return (await storeWebhookEvents(ctx, [raw]))[0]!;
}

/** Meta's webhook payloads stay well under this (a batch of statuses is a few KB). */
export const WEBHOOK_BODY_LIMIT = '5mb';

/** `GET/POST /webhooks/whatsapp` (API_CONTRACT.md). The JSON parser skips this path; we read raw bytes. */
export function registerWebhookRoutes(ctx: AppContext, router: Router): void {
  const { appSecret, verifyToken } = ctx.config.whatsapp;
  // Group commit: POSTs arriving while a write is in flight share the next transaction.
  const batcher = new AckBatcher<Buffer>({
    write: (raws) => storeWebhookEvents(ctx, raws),
    maxInFlight: Math.max(1, Math.min(4, Math.floor(ctx.config.dbPoolMax / 3))),
    sizeOf: (b) => b.length,
  });

  router.get('/webhooks/whatsapp', (req: Request, res: Response) => {
    const mode = req.query['hub.mode'];
    const token = req.query['hub.verify_token'];
    const challenge = req.query['hub.challenge'];
    if (mode === 'subscribe' && typeof token === 'string' && verifyToken && safeEqual(token, verifyToken) && typeof challenge === 'string') {
      res.status(200).type('text/plain').send(challenge);
      return;
    }
    req.log?.info('whatsapp webhook handshake refused');
    res.status(403).type('text/plain').send('Forbidden');
  });

  const refuse = (res: Response) =>
    void res.status(401).json({ error: { code: 'INVALID_SIGNATURE', message: 'X-Hub-Signature-256 is missing or does not match the body' } });
  // A POST without a well-formed signature header is refused before its body is read.
  const claimsSignature = (req: Request, res: Response, next: () => void) => {
    if (!appSecret) req.log?.error('WHATSAPP_APP_SECRET is not set: every webhook is refused');
    if (!appSecret || !/^sha256=[0-9a-fA-F]{64}$/.test(req.get('x-hub-signature-256') ?? '')) return refuse(res);
    next();
  };

  router.post('/webhooks/whatsapp', claimsSignature, express.raw({ type: '*/*', limit: WEBHOOK_BODY_LIMIT }), async (req: Request, res: Response, next) => {
    try {
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      if (!isValidMetaSignature(raw, req.get('x-hub-signature-256'), appSecret)) return refuse(res);
      await batcher.add(raw);
      res.status(200).end();
    } catch (err) {
      next(err);
    }
  });
}
