import type PgBoss from 'pg-boss';
import type { Database } from '../db/database.js';
import type { Logger } from '../logger.js';
import { JobLease } from './heartbeat.js';

/**
 * One fetch loop per queue and process, running up to `concurrency` handlers at once.
 *
 * pg-boss's own `work()` is one poller per slot: with 8 slots a single enqueue woke 8 fetches, 7 of
 * them empty, and every idle slot polled on its own — measured in bench:pipeline, 59 of the 132
 * queries one new customer cost were job fetches. Here one loop asks for as many jobs as it has free
 * slots in one query, sleeps when the queue is empty until an enqueue wakes it (or the poll interval
 * passes, for work enqueued by another instance), and completes finished jobs together.
 */
export interface QueueWorkerOptions<T> {
  boss: PgBoss;
  name: string;
  concurrency: number;
  pollingIntervalMs: number;
  logger: Logger;
  handler: (data: T, job: { id: string; retryCount: number; stopping: () => boolean }) => Promise<unknown>;
  /** Counts handlers running in the process (the queue's quiescence check reads it). */
  onRunning: (delta: 1 | -1) => void;
  /** The queue's lease (pg-boss's expiry), renewed while a handler runs, up to `maxSeconds` (heartbeat.ts). */
  lease: { db: Database; seconds: number; maxSeconds: number };
}

type FetchedJob<T> = PgBoss.JobWithMetadata<T>;

export class QueueWorker<T extends object> {
  private running = new Map<string, Promise<void>>();
  private readonly leases = new Map<string, JobLease>();
  private stopping = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private waitingFor: 'slot' | 'work' | undefined;
  /** An enqueue happened since the last fetch began. */
  private workPending = false;
  private pendingComplete: string[] = [];
  private flushing: Promise<void> | undefined;

  constructor(private readonly o: QueueWorkerOptions<T>) {}

  start(): void {
    this.loop ??= this.run().catch((err) => this.o.logger.error({ err, queue: this.o.name }, 'job fetch loop stopped'));
  }

  /** Work was enqueued (here): look now rather than at the next poll. */
  notify(): void {
    this.workPending = true;
    this.wake?.();
  }

  /** A handler finished: only a loop waiting for a free slot cares. */
  private slotFreed(): void {
    if (this.waitingFor === 'slot') this.wake?.();
  }

  /** Stops fetching, waits up to `timeoutMs` for running handlers, fails what is still running so it is retried. */
  async stop(timeoutMs: number): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loop;
    const all = Promise.all(this.running.values());
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([all.then(() => false), new Promise<boolean>((r) => (timer = setTimeout(() => r(true), timeoutMs)))]);
    clearTimeout(timer);
    await this.flush();
    if (timedOut && this.running.size) {
      const ids = [...this.running.keys()];
      await Promise.all(ids.map((id) => this.leases.get(id)?.end({ failed: true })));
      await Promise.all(ids.map((id) => this.o.boss.fail(this.o.name, id, { message: 'shut down while active' }).catch(() => undefined)));
    }
  }

  private async run(): Promise<void> {
    let queueEmpty = false;
    while (!this.stopping) {
      const room = this.o.concurrency - this.running.size;
      if (room <= 0) {
        await this.wait('slot');
        continue;
      }
      if (queueEmpty && !this.workPending) {
        await this.wait('work', this.o.pollingIntervalMs);
        queueEmpty = false;
        continue;
      }
      this.workPending = false;
      let jobs: FetchedJob<T>[] = [];
      try {
        jobs = (await this.o.boss.fetch<T>(this.o.name, { batchSize: room, includeMetadata: true })) as FetchedJob<T>[];
      } catch (err) {
        this.o.logger.warn({ err, queue: this.o.name }, 'job fetch failed');
      }
      for (const job of jobs) this.running.set(job.id, this.execute(job));
      queueEmpty = jobs.length < room;
    }
  }

  /** Resolves when woken (an enqueue, a freed slot, stop) or after `ms`. */
  private wait(what: 'slot' | 'work', ms?: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = ms === undefined ? undefined : setTimeout(() => this.wake?.(), ms);
      this.waitingFor = what;
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        this.waitingFor = undefined;
        resolve();
      };
    });
  }

  private async execute(job: FetchedJob<T>): Promise<void> {
    this.o.onRunning(1);
    const { db, seconds, maxSeconds } = this.o.lease;
    const lease = new JobLease(db, this.o.logger, { name: this.o.name, id: job.id }, seconds, maxSeconds).start();
    this.leases.set(job.id, lease);
    let timer: NodeJS.Timeout | undefined;
    try {
      // A handler running past the queue's maximum is failed (and retried), as pg-boss's work() does
      // at its expiry; here the expiry is the short lease, so the maximum is timed separately.
      const expiry = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`handler execution exceeded ${maxSeconds}s`)), Math.max(1, maxSeconds) * 1000);
      });
      await Promise.race([this.o.handler(job.data, { id: job.id, retryCount: job.retryCount, stopping: () => this.stopping }), expiry]);
      await lease.end({ failed: false });
      this.pendingComplete.push(job.id);
      await this.flushSoon();
    } catch (err) {
      this.o.logger.warn({ err, queue: this.o.name, jobId: job.id, retryCount: job.retryCount }, 'job failed');
      await lease.end({ failed: true });
      await this.o.boss.fail(this.o.name, job.id, errorData(err)).catch((e) => this.o.logger.error({ err: e, queue: this.o.name }, 'could not record a job failure'));
    } finally {
      clearTimeout(timer);
      this.leases.delete(job.id);
      this.o.onRunning(-1);
      this.running.delete(job.id);
      this.slotFreed();
    }
  }

  /** Completions of handlers that finish in the same turn go in one query. */
  private flushSoon(): Promise<void> {
    this.flushing ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      this.flushing = undefined;
      return this.flush();
    });
    return this.flushing;
  }

  private async flush(): Promise<void> {
    const ids = this.pendingComplete.splice(0);
    if (!ids.length) return;
    try {
      await this.o.boss.complete(this.o.name, ids);
    } catch (err) {
      // Not recorded: their leases lapse and they run again; handlers are idempotent for exactly that reason.
      this.o.logger.error({ err, queue: this.o.name, jobs: ids.length }, 'could not record job completions');
    }
  }
}

function errorData(err: unknown): object {
  if (err instanceof Error) return { message: err.message, name: err.name, stack: err.stack };
  return { message: String(err) };
}
