import type { AppContext } from '../app-context.js';
import { wakeLane } from './drain.js';
import { WEBHOOK_QUEUE } from './ingest.js';
import { errorMessageFor } from './meta-errors.js';
import { SEND_RETRY_QUEUE } from './sender.js';
import { UNCONFIRMED } from './status.js';

/** A stored event still pending this long after it arrived, with no live job, is re-enqueued. */
export const WEBHOOK_STALE_MS = 2 * 60_000;
/** A stored send never handed to Meta this long after it was stored (its process died) is resumed. */
export const SEND_RESUME_AFTER_MS = 30_000;
/** A send handed to Meta without an answer or a status webhook this long is failed as SEND_UNCONFIRMED. */
export const SEND_UNCONFIRMED_AFTER_MS = 10 * 60_000;
const BATCH = 500;

/** Webhook events that wait on a job (created, retrying or running), from the jobs' data. */
async function eventsWithLiveJob(ctx: AppContext): Promise<Set<number>> {
  const r = await ctx.db.query<{ data: { eventIds?: number[]; eventId?: number } }>(
    `SELECT data FROM pgboss.job WHERE name = $1 AND state < 'completed'`,
    [WEBHOOK_QUEUE],
  );
  const ids = new Set<number>();
  for (const { data } of r.rows) for (const id of data.eventIds ?? (data.eventId !== undefined ? [data.eventId] : [])) ids.add(Number(id));
  return ids;
}

/**
 * The sweeper (periodic, once per period across instances): stored events left `pending` — their
 * job was dead-lettered, or lost — are enqueued again, 100 per job. Processing is idempotent, and
 * an event failing on its own is quarantined after MAX_EVENT_ATTEMPTS, so nothing loops forever.
 */
export async function sweepWebhookEvents(ctx: AppContext): Promise<number[]> {
  const cutoff = new Date(ctx.clock.now().getTime() - WEBHOOK_STALE_MS);
  await wakeStaleLanes(ctx, cutoff);
  // Events stored before drains (no number key) are re-enqueued by id.
  const r = await ctx.db.query<{ id: number }>(
    `SELECT id FROM webhook_events WHERE state = 'pending' AND number_key IS NULL AND received_at < $1 ORDER BY id LIMIT $2`,
    [cutoff, BATCH],
  );
  if (r.rows.length === 0) return [];
  const live = await eventsWithLiveJob(ctx);
  const ids = r.rows.map((x) => Number(x.id)).filter((id) => !live.has(id));
  for (let i = 0; i < ids.length; i += 100) await ctx.jobs.send(WEBHOOK_QUEUE, { eventIds: ids.slice(i, i + 100) });
  if (ids.length) ctx.logger.warn({ count: ids.length, first: ids[0] }, 'whatsapp webhook events left unprocessed: enqueued again');
  return ids;
}

/**
 * A lane with events pending since before `cutoff` (its wake-up dead-lettered, or its process died
 * mid-drain) gets a fresh wake-up: a lane already waiting for its drain absorbs it (singleton), and
 * the drain keeps the lane's order, which re-enqueueing events by id would not.
 */
async function wakeStaleLanes(ctx: AppContext, cutoff: Date): Promise<void> {
  const r = await ctx.db.query<{ number_key: string; lane: number }>(
    `SELECT DISTINCT number_key, lane FROM webhook_events WHERE state = 'pending' AND number_key IS NOT NULL AND received_at < $1`,
    [cutoff],
  );
  for (const { number_key: numberKey, lane } of r.rows) await wakeLane(ctx, numberKey, lane);
  if (r.rows.length) ctx.logger.warn({ lanes: r.rows.length }, 'whatsapp webhook lanes with events left unprocessed: woken again');
}

/**
 * Interrupted sends (periodic, once per period across instances), by the rule in docs/whatsapp.md:
 * - stored but never handed to Meta (`dispatch_pending`, no live retry job): resumed through the
 *   retry job, whose claim keeps it at most once at Meta even if the first process still lives;
 * - handed to Meta with no answer stored and no status webhook for SEND_UNCONFIRMED_AFTER_MS:
 *   failed as SEND_UNCONFIRMED, never resent (a later status webhook still applies).
 */
export async function reconcileSends(ctx: AppContext): Promise<{ resumed: number[]; unconfirmed: number[] }> {
  const now = ctx.clock.now().getTime();
  const stuck = await ctx.db.query<{ id: number; attempt: number }>(
    `SELECT m.id, COALESCE((m.payload->>'attempts')::int, 0) AS attempt FROM messages m
      WHERE m.direction = 'out' AND m.status = 'accepted' AND m.wamid IS NULL AND m.dispatch_pending AND m.sent_at < $1
        AND NOT EXISTS (SELECT 1 FROM pgboss.job j WHERE j.name = $2 AND j.state < 'completed' AND j.data->>'messageId' = m.id::text)
      ORDER BY m.id LIMIT $3`,
    [new Date(now - SEND_RESUME_AFTER_MS), SEND_RETRY_QUEUE, BATCH],
  );
  for (const m of stuck.rows) {
    await ctx.jobs.send(SEND_RETRY_QUEUE, { messageId: Number(m.id), attempt: m.attempt }, { singletonKey: `m:${m.id}:${m.attempt}:resume` });
  }
  if (stuck.rows.length) ctx.logger.warn({ messageIds: stuck.rows.map((m) => m.id) }, 'whatsapp sends stored but never sent: resumed');
  const unconfirmed = await failUnconfirmed(ctx, new Date(now - SEND_UNCONFIRMED_AFTER_MS));
  return { resumed: stuck.rows.map((m) => Number(m.id)), unconfirmed };
}

async function failUnconfirmed(ctx: AppContext, cutoff: Date): Promise<number[]> {
  const error = { code: UNCONFIRMED, title: 'Not confirmed by WhatsApp', message: errorMessageFor('SEND_UNCONFIRMED'), details: null, reason: UNCONFIRMED };
  const failed = await ctx.db.tx(async (c) => {
    // wamid IS NULL in the UPDATE: a status webhook that reconciled it meanwhile wins.
    const r = await c.query<{ id: number; portal_id: number; attempts: number }>(
      `UPDATE messages SET status = 'failed', status_at = $2, error = $3::jsonb
        WHERE id IN (SELECT id FROM messages WHERE direction = 'out' AND status = 'accepted' AND wamid IS NULL AND NOT dispatch_pending
                       AND COALESCE(dispatched_at, sent_at) < $1 ORDER BY id LIMIT ${BATCH})
          AND status = 'accepted' AND wamid IS NULL AND NOT dispatch_pending
        RETURNING id, portal_id, COALESCE((payload->>'attempts')::int, 0) AS attempts`,
      [cutoff, ctx.clock.now(), JSON.stringify(error)],
    );
    for (const m of r.rows) {
      await ctx.events.emit('message.status', { messageId: Number(m.id), status: 'failed' }, { client: c });
      // The first call never got to announce the message (the sender does once Meta answers).
      if (m.attempts === 0) await ctx.events.emit('message.outbound', { messageId: Number(m.id), portalId: Number(m.portal_id) }, { client: c });
    }
    return r.rows.map((m) => Number(m.id));
  });
  if (failed.length) ctx.logger.warn({ messageIds: failed }, 'whatsapp sends never confirmed by Meta: failed as SEND_UNCONFIRMED, not resent');
  return failed;
}
