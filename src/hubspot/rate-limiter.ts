import { performance } from 'node:perf_hooks';
import { hubspotKey, rollingWindowSpec, type SharedRateLimiter } from '../limits/index.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)));

/**
 * One rolling window: at most `max` requests start in any `windowMs`. Waiters are served in order
 * (FIFO), and a 429 pauses the whole lane. Real (monotonic) time: this paces network calls.
 */
export class RollingLane {
  private starts: number[] = [];
  private pausedUntil = 0;
  private chain: Promise<void> = Promise.resolve();
  waits = 0;

  constructor(
    readonly max: number,
    readonly windowMs: number,
  ) {}

  acquire(): Promise<void> {
    const turn = this.chain.then(() => this.take());
    this.chain = turn.catch(() => undefined);
    return turn;
  }

  private async take(): Promise<void> {
    for (;;) {
      const now = performance.now();
      while (this.starts.length && this.starts[0]! <= now - this.windowMs) this.starts.shift();
      if (now < this.pausedUntil) {
        this.waits++;
        await sleep(this.pausedUntil - now);
        continue;
      }
      if (this.starts.length < this.max) {
        this.starts.push(now);
        return;
      }
      this.waits++;
      await sleep(this.starts[0]! + this.windowMs - now + 1);
    }
  }

  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, performance.now() + ms);
  }

  /** Requests started in the current window (for tests and metrics). */
  inWindow(): number {
    const now = performance.now();
    return this.starts.filter((t) => t > now - this.windowMs).length;
  }
}

export interface RateLimits {
  /** Requests per rolling 10 s (HubSpot allows 110 per portal for OAuth apps). Default 100. */
  generalPerTenSeconds: number;
  /** CRM search requests per rolling second (HubSpot allows 5). Default 4. */
  searchPerSecond: number;
}

export const DEFAULT_RATE_LIMITS: RateLimits = { generalPerTenSeconds: 100, searchPerSecond: 4 };

export type Lane = 'general' | 'search';

/** Every HubSpot call for one portal, from every caller in this process, goes through one of these. */
export class PortalLimiter {
  readonly general: RollingLane;
  readonly search: RollingLane;
  rateLimited = 0;

  constructor(
    private readonly limits: RateLimits = DEFAULT_RATE_LIMITS,
    /** With it, the portal's budget holds across every instance (src/limits); without, per process. */
    private readonly shared?: { limiter: SharedRateLimiter; portalId: number },
  ) {
    this.general = new RollingLane(limits.generalPerTenSeconds, 10_000);
    this.search = new RollingLane(limits.searchPerSecond, 1_000);
  }

  async acquire(lane: Lane): Promise<void> {
    // The local lane keeps this process's callers in order (and honours a 429 pause at once).
    await (lane === 'search' ? this.search : this.general).acquire();
    if (!this.shared) return;
    const spec = lane === 'search' ? { ratePerSecond: this.limits.searchPerSecond, burst: 1 } : rollingWindowSpec(this.limits.generalPerTenSeconds, 10_000);
    await this.shared.limiter.acquire(hubspotKey(this.shared.portalId, lane), spec);
  }

  private slowShared(lane: Lane, ms: number): void {
    if (this.shared) void this.shared.limiter.slowDown(hubspotKey(this.shared.portalId, lane), ms).catch(() => undefined);
  }

  /** A 429: wait as its policy says (ten-secondly → 10 s on the general lane, secondly → 1 s on search). */
  onRateLimited(lane: Lane, policyName: string | undefined): number {
    this.rateLimited++;
    const policy = (policyName ?? '').toUpperCase();
    let ms: number;
    if (policy === 'SECONDLY' || (lane === 'search' && !policy)) ms = 1_000;
    else if (policy === 'DAILY') ms = 60_000;
    else ms = 10_000; // TEN_SECONDLY_ROLLING and anything unknown
    const paused: Lane = policy === 'SECONDLY' || (lane === 'search' && policy !== 'TEN_SECONDLY_ROLLING' && policy !== 'DAILY') ? 'search' : 'general';
    (paused === 'search' ? this.search : this.general).pause(ms);
    this.slowShared(paused, ms);
    return ms;
  }

  /** HubSpot's X-HubSpot-RateLimit-Remaining: when other clients of this portal used the budget, slow down. */
  observeRemaining(remaining: number | undefined): void {
    if (remaining !== undefined && Number.isFinite(remaining) && remaining <= 3) {
      this.general.pause(1_000);
      this.slowShared('general', 1_000);
    }
  }
}

/** The per-portal limiters of one process. */
export class LimiterRegistry {
  private readonly byPortal = new Map<number, PortalLimiter>();
  constructor(
    private readonly limits: RateLimits = DEFAULT_RATE_LIMITS,
    private readonly shared?: SharedRateLimiter,
  ) {}
  for(portalId: number): PortalLimiter {
    let l = this.byPortal.get(portalId);
    if (!l) this.byPortal.set(portalId, (l = new PortalLimiter(this.limits, this.shared ? { limiter: this.shared, portalId } : undefined)));
    return l;
  }
}
