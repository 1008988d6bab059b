import type { Queryable } from '../db/database.js';
import type { HubSpotCore } from './core.js';
import { PortalDrainer, type StepResult } from './drainer.js';

/**
 * The one HubSpot outbox mechanism, shared by the timeline, contact properties and tasks: work is
 * stored with the caller's transaction, claimed with a lease (a crashed drain's claim expires),
 * retried with exponential backoff up to MAX_ATTEMPTS, and drained per portal by one loop at a
 * time in a process (PortalDrainer) woken by a singleton job per portal.
 */
export const OUTBOX = {
  /** A claim older than this is presumed dead (its process died) and the work is claimed again. */
  leaseMs: 2 * 60_000,
  maxAttempts: 10,
  /** Backoff after the n-th failure: 10 s · 2^n, at most an hour. */
  backoffSql: (attemptsColumn: string, nowParam: string) =>
    `${nowParam}::timestamptz + (interval '1 second' * LEAST(3600, 10 * power(2, ${attemptsColumn})))`,
} as const;

export abstract class PortalOutbox {
  readonly drainer: PortalDrainer;
  /** When this process last claimed each portal's batch (performance.now()): see batchWindow. */
  private readonly lastBatchAt = new Map<number, number>();

  constructor(
    protected readonly core: HubSpotCore,
    private readonly drainQueue: string,
  ) {
    this.drainer = new PortalDrainer(
      (portalId) => this.step(portalId),
      (portalId) => this.scheduleDrain(portalId),
    );
  }

  protected get ctx() {
    return this.core.ctx;
  }

  /** Wakes the portal's drain (one queued job per portal); inside `q`'s transaction when given. */
  async scheduleDrain(portalId: number, q?: Queryable, startAfterSeconds?: number): Promise<void> {
    await this.ctx.jobs.send(this.drainQueue, { portalId }, { client: q, singletonKey: String(portalId), startAfterSeconds });
  }

  protected get lingerMs(): number {
    return this.core.opts.lingerMs ?? 1000;
  }

  /**
   * The batch window: a part-full batch (`n` of `batch` waiting) waits until its oldest item is
   * `lingerMs` old — and, with `sinceLastBatch`, until this portal's last batch is too, for work
   * that is already old when it becomes ready (a campaign's message waited for its send slot,
   * which sent half-full batches every half window). undefined: go now.
   */
  protected batchWindow(portalId: number, n: number, ageMs: number | null, batch: number, o: { sinceLastBatch?: boolean } = {}): StepResult | undefined {
    const since = o.sinceLastBatch ? performance.now() - (this.lastBatchAt.get(portalId) ?? -Infinity) : Infinity;
    const waited = Math.min(ageMs ?? 0, since);
    if (n < batch && waited < this.lingerMs) return { kind: 'linger', waitMs: Math.max(20, Math.min(this.lingerMs - waited, 250)) };
    return undefined;
  }

  /** A batch of the portal's was claimed now (the window's `sinceLastBatch`). */
  protected batchClaimed(portalId: number): void {
    this.lastBatchAt.set(portalId, performance.now());
  }

  /** Portals with work due and not leased (the sweeper wakes their drains). */
  abstract portalsWithBacklog(): Promise<number[]>;

  /** One claimed batch: progress, empty, linger or blocked. */
  abstract step(portalId: number): Promise<StepResult>;
}
