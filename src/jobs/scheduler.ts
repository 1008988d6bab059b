import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { Database } from '../db/database.js';
import type { Logger } from '../logger.js';

export interface PeriodicTask {
  name: string;
  /** Period length; the task runs at most once per period across all instances. */
  everyMs: number;
  run: (periodStart: Date) => Promise<void>;
}

/**
 * Periodic work (end-of-day close, window alerts, template sync) that fires once per period across
 * every instance on the database: each instance ticks, and the one that inserts the
 * (task, period) row in `periodic_runs` runs the task; the others find it taken.
 */
export class Scheduler {
  readonly instanceId = randomUUID();
  private readonly tasks: PeriodicTask[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  /** Passes this instance has finished (its own timer's and direct calls): a signal tests wait on. */
  passes = 0;

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  add(task: PeriodicTask): void {
    this.tasks.push(task);
  }

  /** One pass: claims and runs every task whose current period has not run yet. */
  async tick(): Promise<string[]> {
    const ran: string[] = [];
    for (const task of this.tasks) {
      const now = this.clock.now().getTime();
      const periodStart = Math.floor(now / task.everyMs) * task.everyMs;
      const claim = await this.db.query(
        `INSERT INTO periodic_runs (task, period_key, instance_id) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING RETURNING task`,
        [task.name, String(periodStart), this.instanceId],
      );
      if (claim.rowCount === 0) continue;
      try {
        await task.run(new Date(periodStart));
        ran.push(task.name);
      } catch (err) {
        this.logger.error({ err, task: task.name }, 'periodic task failed');
      }
    }
    this.passes++;
    return ran;
  }

  start(intervalMs = 15_000): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.tick()
        .then(() => undefined)
        .catch((err) => this.logger.error({ err }, 'scheduler tick failed'))
        .finally(() => (this.running = undefined));
    }, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
