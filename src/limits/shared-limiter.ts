import type { Queryable } from '../db/database.js';

/** What a key allows: `ratePerSecond` sustained, `burst` slots at once after idle time. */
export interface LimitSpec {
  ratePerSecond: number;
  /** Slots that may start together after an idle spell (1 = evenly spaced). Default 1. */
  burst?: number;
}

/**
 * Who is asking. `reply` (an agent's or the bot's one-to-one message, a HubSpot call) may book a slot
 * up to `replyHorizonMs` ahead; `bulk` (campaign sends) only up to `bulkHorizonMs` ahead, so a reply
 * never queues behind more than that much bulk work: replies are served first.
 */
export type Lane = 'reply' | 'bulk';

export interface SharedLimiterOptions {
  replyHorizonMs?: number;
  bulkHorizonMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export interface Booking {
  /** How long the caller waited in total before its slot (ms). */
  waitedMs: number;
  /** When the slot began, on `performance.now()`'s scale: work done after it delays the send (`lateBy`). */
  dueAt: number;
}

/** How far past its slot a caller is now (ms). */
export const lateBy = (b: Booking): number => performance.now() - b.dueAt;

interface BulkWaiter {
  resolve(b: Booking): void;
  reject(err: unknown): void;
  since: number;
  spec: LimitSpec;
  rebooks: number;
}

const NOW_MS = `(extract(epoch FROM clock_timestamp()) * 1000)::float8`;

/**
 * A caller woken this much after its slot gives the slot up and books again: sends that a busy event
 * loop releases late would otherwise go out bunched together, and Meta counts any 1,000 ms (the
 * three-instance test saw 11 sends in one of Meta's windows on a loaded machine at 9 per second).
 */
export const LATE_WAKE_MS = 25;
/** A machine too busy to wake anyone on time still sends: after this many fresh slots a caller goes. */
const MAX_REBOOKS = 5;

/**
 * GCRA (generic cell rate algorithm) on one PostgreSQL row per key: each acquire books the next slot
 * with a single atomic upsert (the row lock serialises instances) and sleeps until it, measured on the
 * database's clock relative to the database's "now", so an instance whose clock is off does not pace
 * differently. docs/limits.md.
 */
export class SharedRateLimiter {
  private readonly replyHorizonMs: number;
  private readonly bulkHorizonMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly bulkQueues = new Map<string, BulkWaiter[]>();

  constructor(
    private readonly db: Queryable,
    opts: SharedLimiterOptions = {},
  ) {
    this.replyHorizonMs = opts.replyHorizonMs ?? 60_000;
    this.bulkHorizonMs = opts.bulkHorizonMs ?? 250;
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, Math.max(0, ms))));
  }

  /** Resolves when the caller may start one operation on `key`. */
  async acquire(key: string, spec: LimitSpec, lane: Lane = 'reply'): Promise<Booking> {
    if (lane === 'bulk') return this.bulk(key, spec);
    const { intervalMs, toleranceMs } = timing(spec);
    let waited = 0;
    let rebooks = 0;
    for (;;) {
      const r = await this.book(key, 1, intervalMs, toleranceMs, this.replyHorizonMs);
      if (r.ok) {
        const ahead = r.dueAt - performance.now();
        if (ahead > 0) await this.sleep(ahead);
        const late = performance.now() - r.dueAt;
        waited += Math.max(0, ahead) + Math.max(0, late);
        if (late > LATE_WAKE_MS && rebooks++ < MAX_REBOOKS) continue;
        return { waitedMs: waited, dueAt: r.dueAt };
      }
      const retry = Math.max(5, Math.min(r.waitMs - this.replyHorizonMs, 1000));
      waited += retry;
      await this.sleep(retry);
    }
  }

  /**
   * Bulk callers of this process wait in one queue per key; one pump books slots for as many of them
   * as fit in the bulk horizon with a single statement, so a slow database costs one round trip per
   * batch, not per message.
   */
  private bulk(key: string, spec: LimitSpec): Promise<Booking> {
    return new Promise<Booking>((resolve, reject) => this.enqueue(key, { resolve, reject, since: Date.now(), spec, rebooks: 0 }));
  }

  /** Into the key's bulk queue (at the front for a caller woken late), starting its pump if idle. */
  private enqueue(key: string, w: BulkWaiter, atFront = false): void {
    let q = this.bulkQueues.get(key);
    if (!q) this.bulkQueues.set(key, (q = []));
    if (atFront) q.unshift(w);
    else q.push(w);
    if (q.length === 1) void this.pump(key);
  }

  private async pump(key: string): Promise<void> {
    const q = this.bulkQueues.get(key)!;
    try {
      while (q.length) {
        const { intervalMs, toleranceMs } = timing(q[q.length - 1]!.spec);
        const n = Math.max(1, Math.min(q.length, Math.floor(this.bulkHorizonMs / intervalMs)));
        const r = await this.book(key, n, intervalMs, toleranceMs, this.bulkHorizonMs);
        if (!r.ok) {
          // Beyond the horizon: come back when the queue has shrunk to it (replies may book meanwhile).
          await this.sleep(Math.max(5, Math.min(r.waitMs - this.bulkHorizonMs, 1000)));
          continue;
        }
        const batch = q.splice(0, n);
        batch.forEach((w, i) => {
          const dueAt = r.dueAt + i * intervalMs;
          void this.sleep(dueAt - performance.now()).then(() => {
            if (performance.now() - dueAt <= LATE_WAKE_MS || w.rebooks++ >= MAX_REBOOKS) return w.resolve({ waitedMs: Date.now() - w.since, dueAt });
            this.enqueue(key, w, true); // woken late: back to the front for a fresh slot
          });
        });
      }
    } catch (err) {
      for (const w of q.splice(0)) w.reject(err);
    } finally {
      if (q.length) void this.pump(key);
      else this.bulkQueues.delete(key);
    }
  }

  /**
   * Takes one slot on `key` now or refuses (request rate limits: the caller answers 429 rather than
   * wait): `retryAfterMs` is when the next slot frees. Same GCRA row and atomic upsert as `acquire`.
   */
  async tryAcquire(key: string, spec: LimitSpec): Promise<{ ok: true } | { ok: false; retryAfterMs: number }> {
    const { intervalMs, toleranceMs } = timing(spec);
    const r = await this.book(key, 1, intervalMs, toleranceMs, 0);
    return r.ok ? { ok: true } : { ok: false, retryAfterMs: Math.max(1, r.waitMs) };
  }

  /** Meta said 130429 / HubSpot said 429: nobody on any instance starts on `key` for `ms`. */
  async slowDown(key: string, ms: number): Promise<void> {
    await this.db.query(
      `INSERT INTO shared_limits AS l (key, tat_ms) VALUES ($1, ${NOW_MS} + $2)
       ON CONFLICT (key) DO UPDATE SET tat_ms = GREATEST(l.tat_ms, ${NOW_MS} + $2), updated_at = now()`,
      [key, ms],
    );
  }

  /** Books `n` consecutive slots; ok with the wait until the first when it is within `horizonMs`. */
  private async book(key: string, n: number, intervalMs: number, toleranceMs: number, horizonMs: number): Promise<{ ok: boolean; waitMs: number; dueAt: number }> {
    // First slot = max(now, tat − tolerance); granted when within the horizon; tat moves n intervals on.
    const r = await this.db.query<{ tat_ms: number; now_ms: number }>(
      `INSERT INTO shared_limits AS l (key, tat_ms) VALUES ($1, ${NOW_MS} + $2::float8 * $5::int)
       ON CONFLICT (key) DO UPDATE SET tat_ms = GREATEST(l.tat_ms, ${NOW_MS}) + $2::float8 * $5::int, updated_at = now()
         WHERE GREATEST(l.tat_ms - $3, ${NOW_MS}) - ${NOW_MS} <= $4
       RETURNING tat_ms, ${NOW_MS} AS now_ms`,
      [key, intervalMs, toleranceMs, horizonMs, n],
    );
    const row = r.rows[0];
    // The slot's local time counts from the answer, never earlier: a send may leave late (the answer's
    // way back), never before its slot on the database's clock.
    const answeredAt = performance.now();
    if (row) {
      const waitMs = Math.max(0, row.tat_ms - n * intervalMs - toleranceMs - row.now_ms);
      return { ok: true, waitMs, dueAt: answeredAt + waitMs };
    }
    const cur = await this.db.query<{ wait_ms: number }>(`SELECT tat_ms - $2 - ${NOW_MS} AS wait_ms FROM shared_limits WHERE key = $1`, [key, toleranceMs]);
    return { ok: false, waitMs: Number(cur.rows[0]?.wait_ms ?? 0), dueAt: answeredAt };
  }
}

function timing(spec: LimitSpec): { intervalMs: number; toleranceMs: number } {
  const intervalMs = 1000 / Math.max(0.001, spec.ratePerSecond);
  return { intervalMs, toleranceMs: (Math.max(1, spec.burst ?? 1) - 1) * intervalMs };
}
