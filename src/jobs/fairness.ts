/**
 * Fair draining across portals (issue 17.7): job queues are first-in first-out, so one portal's burst
 * of 10,000 messages used to put every other portal's next message behind it (a bot reply waited
 * 390 s). pg-boss fetches by priority first; a job enqueued for a key (a portal) that has enqueued far
 * more than its share lately gets a lower priority, so a quiet portal's work is taken before a
 * bursting portal's backlog. Nothing is dropped or reordered within a portal beyond that, and the
 * burst still runs at full speed whenever nobody else is waiting.
 *
 * Counted per process on purpose (no query per job): a load balancer spreads a burst over every
 * instance, so each sees its share; the threshold is per process.
 */
export interface BurstMeterOptions {
  /** The window recent enqueues are counted over. Default 10 s. */
  windowMs?: number;
  /** Enqueues per key in the window up to which work keeps the normal priority. Default 100. */
  quietLimit?: number;
}

const SLOTS = 10;

export class BurstMeter {
  private readonly slotMs: number;
  private readonly quietLimit: number;
  /** key → counts per time slot (ring), and the slot index last written. */
  private readonly counts = new Map<string, { ring: number[]; slot: number }>();

  constructor(o: BurstMeterOptions = {}, private readonly now: () => number = Date.now) {
    this.slotMs = (o.windowMs ?? 10_000) / SLOTS;
    this.quietLimit = o.quietLimit ?? 100;
  }

  /**
   * Records one enqueue for `key` and returns its job priority: 0 while the key is within its quiet
   * limit, then -1, -2, … for each further tenfold (a 10,000-message burst sinks below a 1,000 one).
   */
  priorityFor(key: string): number {
    const slot = Math.floor(this.now() / this.slotMs);
    let c = this.counts.get(key);
    if (!c) {
      if (this.counts.size > 10_000) this.forgetQuiet(slot);
      c = { ring: new Array<number>(SLOTS).fill(0), slot };
      this.counts.set(key, c);
    }
    this.advance(c, slot);
    c.ring[slot % SLOTS]!++;
    const recent = c.ring.reduce((s, n) => s + n, 0);
    if (recent <= this.quietLimit) return 0;
    return -Math.max(1, Math.ceil(Math.log10(recent / this.quietLimit)));
  }

  /** Clears the slots that fell out of the window since the key was last counted. */
  private advance(c: { ring: number[]; slot: number }, slot: number): void {
    const gone = Math.min(SLOTS, slot - c.slot);
    for (let i = 1; i <= gone; i++) c.ring[(c.slot + i) % SLOTS] = 0;
    c.slot = slot;
  }

  /** Bounds memory: keys not counted within the window are forgotten. */
  private forgetQuiet(slot: number): void {
    for (const [k, c] of this.counts) if (slot - c.slot >= SLOTS) this.counts.delete(k);
  }
}
