import type { Database } from '../db/database.js';
import type { Logger } from '../logger.js';

/** A running job whose worker stops renewing its lease for this long is presumed dead and retried. */
export const DEFAULT_LEASE_SECONDS = 10;

/**
 * The job heartbeat. pg-boss 11 has none: its monitor fails (and so retries) an active job once
 * `started_on + expire_seconds` has passed, and that is all it knows of a dead worker. So every
 * queue's `expire_seconds` is a short lease (DEFAULT_LEASE_SECONDS), and while a handler runs its
 * lease is pushed forward every lease/3 seconds. A worker that dies (SIGKILL, OOM, lost host)
 * stops beating, and its job is retried within a lease (plus the monitor's interval) instead of
 * after a long expiry. A job that runs past its maximum (`expireInSeconds`) stops being renewed,
 * so a hung handler is retried too. Jobs shorter than lease/3 never write a beat.
 */
export class JobLease {
  private timer: NodeJS.Timeout | undefined;
  private readonly startedAt = Date.now();
  private extended = false;
  private beating: Promise<void> | undefined;

  constructor(
    private readonly db: Database,
    private readonly logger: Logger,
    private readonly job: { name: string; id: string },
    private readonly leaseSeconds: number,
    private readonly maxSeconds: number,
  ) {}

  start(): this {
    if (this.maxSeconds <= this.leaseSeconds) return this; // the lease already covers the maximum
    const everyMs = Math.max(1, Math.floor(this.leaseSeconds / 3)) * 1000;
    this.timer = setInterval(() => {
      if (!this.beating) this.beating = this.beat().finally(() => (this.beating = undefined));
    }, everyMs);
    this.timer.unref();
    return this;
  }

  private async beat(): Promise<void> {
    if (Date.now() - this.startedAt > this.maxSeconds * 1000) {
      this.stopTimer();
      this.logger.warn({ queue: this.job.name, jobId: this.job.id, maxSeconds: this.maxSeconds }, 'job ran past its maximum: its lease is no longer renewed');
      return;
    }
    try {
      const r = await this.db.query(
        `UPDATE pgboss.job SET expire_seconds = CEIL(EXTRACT(EPOCH FROM now() - started_on))::int + $3
          WHERE name = $1 AND id = $2 AND state = 'active'`,
        [this.job.name, this.job.id, this.leaseSeconds],
      );
      this.extended = true;
      if (!r.rowCount) {
        this.stopTimer();
        this.logger.warn({ queue: this.job.name, jobId: this.job.id }, 'job lost its lease (presumed dead and retried elsewhere)');
      }
    } catch (err) {
      this.logger.warn({ err, queue: this.job.name, jobId: this.job.id }, 'job heartbeat failed');
    }
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /**
   * Stops renewing. Before a failure is recorded, the lease goes back to its short length: pg-boss
   * copies `expire_seconds` into the retry, which must again be recovered within a lease.
   */
  async end(o: { failed: boolean }): Promise<void> {
    this.stopTimer();
    await this.beating;
    if (!o.failed || !this.extended) return;
    await this.db
      .query(`UPDATE pgboss.job SET expire_seconds = $3 WHERE name = $1 AND id = $2 AND state = 'active'`, [this.job.name, this.job.id, this.leaseSeconds])
      .catch((err) => this.logger.warn({ err, queue: this.job.name, jobId: this.job.id }, 'job lease reset failed'));
  }
}
