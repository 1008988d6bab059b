import type { PoolClient } from 'pg';
import type { AppContext } from '../app-context.js';
import { isTransientDbError } from '../db/database.js';
import { cleanJson, cleanReason } from './clean.js';
import { applyItem, EventRun, itemKey, type Summary } from './ingest-items.js';
import { InvalidWebhookError, parseWebhook, type ParsedWebhook } from './parse.js';
import { errorText, markInvalid, markQuarantined, quarantine } from './quarantine.js';

export { MEDIA_QUEUE, type Summary } from './ingest-items.js';

export const WEBHOOK_QUEUE = 'whatsapp.webhook';
export const TEMPLATE_SYNC_QUEUE = 'whatsapp.templates-sync';
/** Failed attempts of one event as a whole (not of an item: those are quarantined at once) before it is quarantined. */
export const MAX_EVENT_ATTEMPTS = 10;

/** An item failed in the fast path (all items in one transaction): redo the event item by item. */
class ItemFailed extends Error {
  constructor(err: unknown) {
    super(errorText(err));
  }
}

/** A stored body, read: its items, or why it cannot be read at all. Strings are cleaned (NUL, lone surrogates). */
export function readEventBody(raw: Buffer): ParsedWebhook | { error: string } {
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    return { error: `body is not JSON: ${(err as Error).message}` };
  }
  try {
    return parseWebhook(cleanJson(body));
  } catch (err) {
    if (err instanceof InvalidWebhookError) return { error: err.message };
    throw err;
  }
}

/**
 * The `whatsapp.webhook` job's work for one stored POST, in one transaction. Inbound messages are
 * stored once per wamid (INSERT … ON CONFLICT DO NOTHING; `message.inbound` only when inserted);
 * statuses only move forward; a number no portal has connected is reported, not processed. An item
 * that cannot be processed is quarantined with its reason; its neighbours are processed.
 */
export async function processWebhookEvent(ctx: AppContext, eventId: number): Promise<Summary | undefined> {
  const ev = await ctx.db.query<{ raw_body: Buffer; state: string }>(`SELECT raw_body, state FROM webhook_events WHERE id = $1`, [eventId]);
  const row = ev.rows[0];
  if (!row || row.state !== 'pending') return undefined;
  const parsed = readEventBody(row.raw_body);
  if ('error' in parsed) {
    ctx.logger.warn({ eventId, reason: parsed.error }, 'whatsapp webhook could not be parsed; kept as invalid and quarantined');
    await markInvalid(ctx.db.pool, eventId, parsed.error);
    return undefined;
  }
  const summary = await applyEvent(ctx, eventId, parsed);
  if (summary) reportProcessed(ctx, eventId, summary);
  return summary;
}

/** Fast path: every item in one transaction. If an item fails, again with each item in its own savepoint. */
async function applyEvent(ctx: AppContext, eventId: number, parsed: ParsedWebhook): Promise<Summary | undefined> {
  try {
    return await ctx.db.tx((c) => applyItems(ctx, c, eventId, parsed, false));
  } catch (err) {
    if (!(err instanceof ItemFailed)) throw err; // outside an item, or transient: the job retries the event
    ctx.logger.warn({ eventId, err: err.message }, 'an item of a whatsapp webhook failed; processing each item on its own');
    return ctx.db.tx((c) => applyItems(ctx, c, eventId, parsed, true));
  }
}

async function applyItems(ctx: AppContext, c: PoolClient, eventId: number, parsed: ParsedWebhook, isolate: boolean): Promise<Summary | undefined> {
  const lock = await c.query(`SELECT state FROM webhook_events WHERE id = $1 FOR UPDATE`, [eventId]);
  if (lock.rows[0]?.state !== 'pending') return undefined;
  const run = new EventRun(ctx, c, [...parsed.problems]);
  await applyParsed(run, eventId, parsed, isolate);
  await requestTemplateSyncs(run);
  const o = outcomeOf(run);
  await c.query(`UPDATE webhook_events SET state = $2, processed_at = now(), summary = $3::jsonb WHERE id = $1`, [eventId, o.state, o.summary]);
  return run.summary;
}

/**
 * Applies a locked, pending event's items in the caller's transaction. Not isolated: the first
 * failing item throws (ItemFailed, or a transient error as is). Isolated: each item in a savepoint,
 * a failing one quarantined with its reason while its neighbours are applied.
 */
export async function applyParsed(run: EventRun, eventId: number, parsed: ParsedWebhook, isolate: boolean): Promise<void> {
  const { ctx, c } = run;
  for (const r of parsed.rejected) {
    await quarantine(c, eventId, { ref: r.ref, kind: r.kind, key: r.key, reason: r.reason });
    run.summary.quarantined++;
  }
  for (const item of parsed.items) {
    if (!isolate) {
      try {
        await applyItem(run, item);
      } catch (err) {
        throw isTransientDbError(err) ? err : new ItemFailed(err);
      }
      continue;
    }
    const before = run.snapshot();
    await c.query('SAVEPOINT webhook_item');
    try {
      await applyItem(run, item);
      await c.query('RELEASE SAVEPOINT webhook_item');
    } catch (err) {
      if (isTransientDbError(err)) throw err;
      await c.query('ROLLBACK TO SAVEPOINT webhook_item');
      run.restore(before);
      ctx.logger.warn({ eventId, ref: item.ref, err: errorText(err) }, 'whatsapp webhook item quarantined');
      await quarantine(c, eventId, { ref: item.ref, kind: item.kind, key: itemKey(item), reason: errorText(err) });
      run.summary.quarantined++;
    }
  }
}

/** Template re-syncs the items asked for, in the event's transaction. */
export async function requestTemplateSyncs(run: EventRun): Promise<void> {
  const { ctx, c } = run;
  for (const wabaId of run.syncWabas) {
    const has = await c.query(`SELECT 1 FROM whatsapp_numbers WHERE waba_id = $1 LIMIT 1`, [wabaId]);
    if (has.rowCount) await ctx.jobs.send(TEMPLATE_SYNC_QUEUE, { wabaId }, { client: c, singletonKey: wabaId });
  }
}

/** The event's outcome as stored: its state and its summary (JSON). */
export function outcomeOf(run: EventRun): { state: string; summary: string } {
  const { summary } = run;
  const state = summary.unrouted.length === 0 ? 'processed' : run.routed > 0 ? 'partially_unrouted' : 'unrouted';
  summary.problems = summary.problems.map((p) => cleanReason(p, 500));
  return { state, summary: JSON.stringify(summary) };
}

export function reportProcessed(ctx: AppContext, eventId: number, summary: Summary): void {
  if (summary.unrouted.length) {
    ctx.logger.warn({ eventId, phoneNumberIds: summary.unrouted }, 'whatsapp webhook for a number no portal has connected: stored, not processed');
  }
  if (summary.problems.length) ctx.logger.warn({ eventId, problems: summary.problems.slice(0, 10) }, 'whatsapp webhook had parts we could not read');
}

/**
 * The job's handler for one stored batch: each event on its own, so one that fails (outside any
 * item: its items are isolated already) neither blocks nor drops the others. A failed event counts
 * an attempt; the job throws so pg-boss retries it (processed events are skipped). On the job's
 * last attempt, or after MAX_EVENT_ATTEMPTS, the event is quarantined instead.
 */
export async function processWebhookBatch(ctx: AppContext, eventIds: number[], o: { lastAttempt: boolean }): Promise<void> {
  const failed: string[] = [];
  for (const id of eventIds) {
    try {
      await processWebhookEvent(ctx, id);
    } catch (err) {
      const reason = errorText(err);
      const r = await ctx.db.query<{ attempts: number }>(
        `UPDATE webhook_events SET attempts = attempts + 1, last_error = $2 WHERE id = $1 AND state = 'pending' RETURNING attempts`,
        [id, cleanReason(reason)],
      );
      const attempts = r.rows[0]?.attempts ?? 0;
      if (o.lastAttempt || attempts >= MAX_EVENT_ATTEMPTS) {
        ctx.logger.error({ eventId: id, attempts, reason }, 'whatsapp webhook event quarantined after repeated failures');
        await markQuarantined(ctx.db.pool, id, `failed ${attempts} times; last: ${reason}`);
      } else if (attempts > 0) failed.push(`${id}: ${reason}`);
    }
  }
  if (failed.length) throw new Error(`webhook events failed (retried): ${failed.slice(0, 5).join('; ')}`);
}
