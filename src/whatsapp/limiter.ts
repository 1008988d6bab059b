import { whatsappNumberKey, whatsappNumberSpec, type Booking, type Lane, type SharedRateLimiter } from '../limits/index.js';

/**
 * Per-number throughput limiter: a token bucket per phone_number_id (default 80 messages/s, from
 * WHATSAPP_THROUGHPUT_PER_SECOND or the number's own `throughput_per_second`), shared by every
 * sender in this process. Callers wait for their slot in arrival order. Single-process tools only: the
 * app uses SharedThroughputLimiter (below), which holds across instances.
 */
export class ThroughputLimiter implements SendLimiter {
  private readonly buckets = new Map<string, { tokens: number; updatedAt: number; rate: number; tail: Promise<void> }>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Resolves when a message may be sent from `key` at `ratePerSecond`. */
  acquire(key: string, ratePerSecond: number): Promise<void> {
    let b = this.buckets.get(key);
    if (!b) {
      b = { tokens: ratePerSecond, updatedAt: this.now(), rate: ratePerSecond, tail: Promise.resolve() };
      this.buckets.set(key, b);
    }
    const bucket = b;
    bucket.rate = ratePerSecond;
    const turn = bucket.tail.then(async () => {
      for (;;) {
        const t = this.now();
        bucket.tokens = Math.min(bucket.rate, bucket.tokens + ((t - bucket.updatedAt) / 1000) * bucket.rate);
        bucket.updatedAt = t;
        if (bucket.tokens >= 1) {
          bucket.tokens -= 1;
          return;
        }
        const waitMs = Math.ceil(((1 - bucket.tokens) / bucket.rate) * 1000);
        await new Promise((r) => setTimeout(r, waitMs));
      }
    });
    bucket.tail = turn.catch(() => undefined);
    return turn;
  }
}

/** The sender's seam: one slot per Meta call, `bulk` for campaign sends (served after replies). */
export interface SendLimiter {
  /** Resolves at the caller's slot; a shared limiter says when the slot began (`lateBy`). */
  acquire(phoneNumberId: string, ratePerSecond: number, lane?: Lane): Promise<Booking | void>;
  /** Meta answered 130429: every instance holds this number's sends back for `ms`. */
  slowDown?(phoneNumberId: string, ms: number): Promise<void>;
}

/** The number's `messagesPerSecond` as a limit shared by every instance (src/limits, docs/limits.md). */
export class SharedThroughputLimiter implements SendLimiter {
  constructor(private readonly shared: SharedRateLimiter) {}

  acquire(phoneNumberId: string, ratePerSecond: number, lane: Lane = 'reply'): Promise<Booking> {
    return this.shared.acquire(whatsappNumberKey(phoneNumberId), whatsappNumberSpec(ratePerSecond), lane);
  }

  slowDown(phoneNumberId: string, ms: number): Promise<void> {
    return this.shared.slowDown(whatsappNumberKey(phoneNumberId), ms);
  }
}
