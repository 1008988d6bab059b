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
}

const NOW_MS = `(extract(epoch FROM clock_timestamp()) * 1000)::float8`;

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
  private readonly bulkTails = new Map<string, Promise<void>>();

  constructor(
    private readonly db: Queryable,
    opts: SharedLimiterOptions = {},
  ) {
    this.replyHorizonMs = opts.replyHorizonMs ?? 60_000;
    this.bulkHorizonMs = opts.bulkHorizonMs ?? 250;
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, Math.max(0, ms))));
  }

  /** Resolves when the caller may start one operation on `key`. */
  acquire(key: string, spec: LimitSpec, lane: Lane = 'reply'): Promise<Booking> {
    if (lane === 'reply') return this.take(key, spec, lane);
    // Bulk callers of this process queue here, one at a time per key: only one of them asks the database.
    const turn = (this.bulkTails.get(key) ?? Promise.resolve()).then(() => this.take(key, spec, lane));
    const tail = turn.then(
      () => undefined,
      () => undefined,
    );
    this.bulkTails.set(key, tail);
    void tail.then(() => this.bulkTails.get(key) === tail && this.bulkTails.delete(key));
    return turn;
  }

  private async take(key: string, spec: LimitSpec, lane: Lane): Promise<Booking> {
    const intervalMs = 1000 / Math.max(0.001, spec.ratePerSecond);
    const toleranceMs = (Math.max(1, spec.burst ?? 1) - 1) * intervalMs;
    const horizonMs = lane === 'bulk' ? this.bulkHorizonMs : this.replyHorizonMs;
    let waited = 0;
    for (;;) {
      const r = await this.book(key, intervalMs, toleranceMs, horizonMs);
      if (r.ok) {
        if (r.waitMs > 0) await this.sleep(r.waitMs);
        return { waitedMs: waited + Math.max(0, r.waitMs) };
      }
      // Refused (bulk beyond its horizon): come back when the queue has shrunk to the horizon.
      const retry = Math.max(5, Math.min(r.waitMs - horizonMs, 1000));
      waited += retry;
      await this.sleep(retry);
    }
  }

  /** Meta said 130429 / HubSpot said 429: nobody on any instance starts on `key` for `ms`. */
  async slowDown(key: string, ms: number): Promise<void> {
    await this.db.query(
      `INSERT INTO shared_limits AS l (key, tat_ms) VALUES ($1, ${NOW_MS} + $2)
       ON CONFLICT (key) DO UPDATE SET tat_ms = GREATEST(l.tat_ms, ${NOW_MS} + $2), updated_at = now()`,
      [key, ms],
    );
  }

  private async book(key: string, intervalMs: number, toleranceMs: number, horizonMs: number): Promise<{ ok: boolean; waitMs: number }> {
    // Slot = max(now, tat − tolerance); granted when it is within the lane's horizon; tat moves one interval on.
    const r = await this.db.query<{ tat_ms: number; now_ms: number }>(
      `INSERT INTO shared_limits AS l (key, tat_ms) VALUES ($1, ${NOW_MS} + $2)
       ON CONFLICT (key) DO UPDATE SET tat_ms = GREATEST(l.tat_ms, ${NOW_MS}) + $2, updated_at = now()
         WHERE GREATEST(l.tat_ms - $3, ${NOW_MS}) - ${NOW_MS} <= $4
       RETURNING tat_ms, ${NOW_MS} AS now_ms`,
      [key, intervalMs, toleranceMs, horizonMs],
    );
    const row = r.rows[0];
    if (row) return { ok: true, waitMs: Math.max(0, row.tat_ms - intervalMs - toleranceMs - row.now_ms) };
    const cur = await this.db.query<{ wait_ms: number }>(`SELECT tat_ms - $2 - ${NOW_MS} AS wait_ms FROM shared_limits WHERE key = $1`, [key, toleranceMs]);
    return { ok: false, waitMs: Number(cur.rows[0]?.wait_ms ?? 0) };
  }
}
