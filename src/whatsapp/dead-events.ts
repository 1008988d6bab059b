import type { AppContext } from '../app-context.js';
import { isTransientDbError, type Queryable } from '../db/database.js';
import { notFound } from '../errors.js';
import { processWebhookEvent, readEventBody, TEMPLATE_SYNC_QUEUE } from './ingest.js';
import { applyItem, EventRun } from './ingest-items.js';
import { errorText, resolveQuarantined, stillFailing } from './quarantine.js';

/** One row of the dead-event list (`npm run events -- list`). */
export interface DeadEvent {
  id: number;
  eventId: number;
  /** '' for the whole event, else the item's path in the body. */
  ref: string;
  kind: string;
  key: string | null;
  reason: string;
  attempts: number;
  receivedAt: Date;
  quarantinedAt: Date;
  lastAttemptAt: Date;
  resolvedAt: Date | null;
}

export async function listDeadEvents(q: Queryable, o: { all?: boolean; limit?: number } = {}): Promise<DeadEvent[]> {
  const r = await q.query(
    `SELECT q.id, q.event_id, q.item_ref, q.kind, q.item_key, q.reason, q.attempts, e.received_at, q.created_at, q.last_attempt_at, q.resolved_at
       FROM webhook_quarantine q JOIN webhook_events e ON e.id = q.event_id
      WHERE $1 OR q.resolved_at IS NULL
      ORDER BY q.id LIMIT $2`,
    [o.all ?? false, o.limit ?? 100],
  );
  return r.rows.map((x) => ({
    id: Number(x.id),
    eventId: Number(x.event_id),
    ref: x.item_ref,
    kind: x.kind,
    key: x.item_key,
    reason: x.reason,
    attempts: x.attempts,
    receivedAt: x.received_at,
    quarantinedAt: x.created_at,
    lastAttemptAt: x.last_attempt_at,
    resolvedAt: x.resolved_at,
  }));
}

export interface ReplayResult {
  id: number;
  outcome: 'processed' | 'still_failing' | 'already_resolved';
  reason?: string;
}

/**
 * Runs a quarantined event or item again with the code and data as they are now (after a fix).
 * Idempotent like the first run: a message already stored is not stored or announced twice.
 */
export async function replayDeadEvent(ctx: AppContext, id: number): Promise<ReplayResult> {
  const r = await ctx.db.query<{ event_id: number; item_ref: string; resolved_at: Date | null; raw_body: Buffer }>(
    `SELECT q.event_id, q.item_ref, q.resolved_at, e.raw_body FROM webhook_quarantine q JOIN webhook_events e ON e.id = q.event_id WHERE q.id = $1`,
    [id],
  );
  const row = r.rows[0];
  if (!row) throw notFound(`Dead event ${id} not found`);
  if (row.resolved_at) return { id, outcome: 'already_resolved' };
  return row.item_ref === '' ? replayEvent(ctx, id, Number(row.event_id)) : replayItem(ctx, id, Number(row.event_id), row.item_ref, row.raw_body);
}

async function replayEvent(ctx: AppContext, id: number, eventId: number): Promise<ReplayResult> {
  await ctx.db.query(`UPDATE webhook_events SET state = 'pending', attempts = 0 WHERE id = $1 AND state IN ('invalid', 'quarantined')`, [eventId]);
  try {
    await processWebhookEvent(ctx, eventId);
  } catch (err) {
    if (isTransientDbError(err)) throw err;
    await ctx.db.query(`UPDATE webhook_events SET state = 'quarantined', last_error = $2 WHERE id = $1 AND state = 'pending'`, [eventId, errorText(err).slice(0, 1000)]);
    await stillFailing(ctx.db.pool, id, errorText(err));
    return { id, outcome: 'still_failing', reason: errorText(err) };
  }
  const after = await ctx.db.query<{ state: string; reason: string; resolved: boolean }>(
    `SELECT e.state, q.reason, q.resolved_at IS NOT NULL AS resolved FROM webhook_events e JOIN webhook_quarantine q ON q.event_id = e.id WHERE q.id = $1`,
    [id],
  );
  const a = after.rows[0]!;
  // markInvalid re-opened the entry (with the new reason) when the body still cannot be read.
  if (a.state === 'invalid' || a.state === 'quarantined') return { id, outcome: 'still_failing', reason: a.reason };
  await resolveQuarantined(ctx.db.pool, id);
  return { id, outcome: 'processed' };
}

async function replayItem(ctx: AppContext, id: number, eventId: number, ref: string, raw: Buffer): Promise<ReplayResult> {
  const parsed = readEventBody(raw);
  const refused = 'error' in parsed ? parsed.error : parsed.rejected.find((x) => x.ref === ref)?.reason;
  if (refused !== undefined) {
    await stillFailing(ctx.db.pool, id, refused);
    return { id, outcome: 'still_failing', reason: refused };
  }
  const item = (parsed as Exclude<typeof parsed, { error: string }>).items.find((x) => x.ref === ref);
  try {
    await ctx.db.tx(async (c) => {
      // An item the current code no longer reads as one (now ignored) has nothing left to do.
      const run = new EventRun(ctx, c);
      if (item) await applyItem(run, item);
      for (const wabaId of run.syncWabas) await ctx.jobs.send(TEMPLATE_SYNC_QUEUE, { wabaId }, { client: c, singletonKey: wabaId });
      await resolveQuarantined(c, id);
    });
  } catch (err) {
    if (isTransientDbError(err)) throw err;
    await stillFailing(ctx.db.pool, id, errorText(err));
    return { id, outcome: 'still_failing', reason: errorText(err) };
  }
  ctx.logger.info({ deadEventId: id, eventId, ref }, 'quarantined whatsapp webhook item replayed');
  return { id, outcome: 'processed' };
}
