import type { AppContext } from '../app-context.js';
import { isTransientDbError, type Queryable } from '../db/database.js';
import { EventRun } from './ingest-items.js';
import { applyParsed, outcomeOf, processWebhookBatch, readEventBody, reportProcessed, requestTemplateSyncs, type Summary } from './ingest.js';
import type { NumberRow } from './numbers.js';
import { markInvalid } from './quarantine.js';

/**
 * A number's stored webhook events are processed by a drain woken after they commit: one queued
 * wake per number ('short' queue, singleton key = the number), and each pass takes up to
 * PASS_SIZE of the number's pending events in order and applies them in ONE transaction. Per event
 * that saves a job, a transaction and four bookkeeping statements — the cost that made this queue
 * the pipeline's bottleneck (docs/scaling.md).
 *
 * A number's events are split into LANES by customer (read off the bytes at the ack), and the
 * passes of one lane are serialised (an advisory lock per lane, held by the pass's transaction):
 * a customer's events are applied in the order they arrived, two passes never lock the same
 * contact's rows in opposite orders (a deadlock), and lanes and numbers drain side by side.
 *
 * A pass that fails on anything but a transient error is rolled back and its events are processed
 * one by one instead (processWebhookBatch: each in its own transaction, a failing item quarantined,
 * a failing event retried and counted), so one poison event costs its neighbours nothing but time.
 */
export const WEBHOOK_WAKE_QUEUE = 'whatsapp.webhook.wake';
export const PASS_SIZE = 50;
/** Passes one wake-up runs before it hands the rest to a fresh wake (another worker may take it). */
const MAX_PASSES = 100;

export const LANES = 4;

/**
 * The number and lane a stored body drains in, read without parsing it (the ack path parses
 * nothing): the first phone_number_id it names, and a hash of the first customer it names (the
 * sender of a message, the recipient of a status). A body naming neither goes to lane 0.
 */
export function drainKeyOf(raw: Buffer): { numberKey: string; lane: number } {
  const text = raw.toString('latin1');
  const numberKey = /"phone_number_id"\s*:\s*"(\d{1,20})"/.exec(text)?.[1] ?? 'unknown';
  const customer = /"(?:wa_id|from|recipient_id|user_id|recipient_user_id)"\s*:\s*"([^"\\]{1,64})"/.exec(text)?.[1];
  let h = 0;
  for (const ch of customer ?? '') h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return { numberKey, lane: customer ? h % LANES : 0 };
}

/** The wake-up's singleton key (and the advisory lock's name) for a number's lane. */
export const laneKey = (numberKey: string, lane: number) => `${numberKey}/${lane}`;

/** Queues a wake-up for a lane's drain (inside `client`'s transaction when given); absorbed by one already queued. */
export function wakeLane(ctx: AppContext, numberKey: string, lane: number, client?: Queryable): Promise<unknown> {
  return ctx.jobs.send(WEBHOOK_WAKE_QUEUE, { numberKey, lane }, { client, singletonKey: laneKey(numberKey, lane) });
}

/**
 * One wake-up per distinct lane among `keys`, in one statement (the ack path's group commit). In
 * key order: two batches inserting the same keys in opposite orders deadlock (a refused ack).
 */
export function wakeLanes(ctx: AppContext, keys: { numberKey: string; lane: number }[], client: Queryable): Promise<void> {
  const lanes = new Map(keys.map((k) => [laneKey(k.numberKey, k.lane), k]));
  const jobs = [...lanes.keys()].sort().map((key) => {
    const { numberKey, lane } = lanes.get(key)!;
    return { data: { numberKey, lane }, singletonKey: key };
  });
  return ctx.jobs.sendMany(WEBHOOK_WAKE_QUEUE, jobs, { client });
}

interface Processed {
  id: number;
  summary: Summary;
}

/** One pass: the number's next pending events, in one transaction. Returns how many it took. */
async function drainPass(ctx: AppContext, numberKey: string, lane: number, o: { lastAttempt: boolean }): Promise<number> {
  let taken: number[] = [];
  let processed: Processed[] = [];
  try {
    await ctx.db.tx(async (c) => {
      taken = [];
      processed = [];
      await c.query(`SELECT pg_advisory_xact_lock(hashtext('whatsapp.webhook.drain'), hashtext($1))`, [laneKey(numberKey, lane)]);
      const r = await c.query<{ id: string; raw_body: Buffer }>(
        `SELECT id, raw_body FROM webhook_events WHERE number_key = $1 AND lane = $2 AND state = 'pending' ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED`,
        [numberKey, lane, PASS_SIZE],
      );
      const numbers = new Map<string, NumberRow | null>();
      const outcomes: { id: number; state: string; summary: string }[] = [];
      for (const row of r.rows) {
        const id = Number(row.id);
        taken.push(id);
        const parsed = readEventBody(row.raw_body);
        if ('error' in parsed) {
          ctx.logger.warn({ eventId: id, reason: parsed.error }, 'whatsapp webhook could not be parsed; kept as invalid and quarantined');
          await markInvalid(c, id, parsed.error);
          continue;
        }
        const run = new EventRun(ctx, c, [...parsed.problems], numbers);
        await applyParsed(run, id, parsed, false);
        await requestTemplateSyncs(run);
        outcomes.push({ id, ...outcomeOf(run) });
        processed.push({ id, summary: run.summary });
      }
      if (outcomes.length) {
        await c.query(
          `UPDATE webhook_events e SET state = o.state, processed_at = now(), summary = o.summary
             FROM unnest($1::bigint[], $2::text[], $3::jsonb[]) AS o(id, state, summary) WHERE e.id = o.id`,
          [outcomes.map((x) => x.id), outcomes.map((x) => x.state), outcomes.map((x) => x.summary)],
        );
      }
    });
  } catch (err) {
    if (isTransientDbError(err) || taken.length === 0) throw err; // the wake's job retries the pass
    ctx.logger.warn({ numberKey, lane, events: taken.length, err: (err as Error).message }, 'a whatsapp webhook drain pass failed; processing its events one by one');
    await processWebhookBatch(ctx, taken, o);
    return taken.length;
  }
  for (const p of processed) reportProcessed(ctx, p.id, p.summary);
  return taken.length;
}

/**
 * Drains a lane's pending events. Wake-ups for a lane already draining in this process only ask
 * the running drain for one more round (so a process holds at most one connection per lane); a
 * round ends when a pass finds fewer than PASS_SIZE events.
 */
export class WebhookDrains {
  private readonly running = new Map<string, { again: boolean }>();

  constructor(private readonly ctx: AppContext) {}

  async wake(numberKey: string, lane: number, o: { lastAttempt: boolean; stopping?: () => boolean }): Promise<void> {
    const key = laneKey(numberKey, lane);
    const current = this.running.get(key);
    if (current) {
      current.again = true;
      return;
    }
    const state = { again: true };
    this.running.set(key, state);
    try {
      let passes = 0;
      while (state.again) {
        state.again = false;
        while ((await drainPass(this.ctx, numberKey, lane, o)) === PASS_SIZE) {
          // A long backlog, or this process shutting down: a fresh wake-up takes the rest (another
          // worker, another instance, or this one after its restart), so no drain outlives the grace.
          if (++passes >= MAX_PASSES || o.stopping?.()) {
            await wakeLane(this.ctx, numberKey, lane);
            return;
          }
        }
      }
    } finally {
      this.running.delete(key);
    }
  }
}
