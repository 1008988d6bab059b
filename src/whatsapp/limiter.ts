/**
 * Per-number throughput limiter: a token bucket per phone_number_id (default 80 messages/s, from
 * WHATSAPP_THROUGHPUT_PER_SECOND or the number's own `throughput_per_second`), shared by every
 * sender in this process (agents, bot, campaigns all go through `whatsappSender`). Callers wait
 * for their slot in arrival order; it paces on real time because it paces real HTTP calls.
 */
export class ThroughputLimiter {
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
