import PgBoss from 'pg-boss';
import type { Logger } from '../logger.js';
import { afterCommit, type Database, type Queryable } from '../db/database.js';
import { BurstMeter, type BurstMeterOptions } from './fairness.js';
import { jobId } from './job-id.js';
import { DEFAULT_LEASE_SECONDS } from './heartbeat.js';
import { QueueWorker } from './queue-worker.js';

export interface JobContext {
  id: string;
  /** How many times this job already failed before this attempt. */
  retryCount: number;
  /**
   * True once this process shuts down: a handler that loops over a backlog hands the rest to a
   * fresh job rather than run past the shutdown's grace (and be failed).
   */
  stopping?: () => boolean;
}

export interface JobDefinition<T extends object> {
  name: string;
  handler: (data: T, job: JobContext) => Promise<unknown>;
  /** Attempts after the first; then the job moves to `<name>.dead`. Default 5. */
  retryLimit?: number;
  /** First retry delay in seconds; doubles each attempt (backoff). Default 2. */
  retryDelaySeconds?: number;
  retryDelayMaxSeconds?: number;
  /**
   * The longest an attempt may run: after this it is failed (and retried), and its lease is no longer
   * renewed. Default 300. A dead worker's attempt is retried sooner: within the lease (heartbeat.ts).
   */
  expireInSeconds?: number;
  /** Jobs this process works on at once for this queue. Default 2. */
  concurrency?: number;
  /**
   * 'short': at most one queued (not yet running) job per singleton key, so a burst of sends with one
   * key costs one job (a wake-up). Fixed when the queue is first created (pg-boss cannot change it).
   */
  policy?: 'standard' | 'short';
}

export interface SendOptions {
  /**
   * On a 'short' queue, at most one queued job with this key. On a standard queue pg-boss keeps every
   * job and the key only labels it: those handlers dedupe by their own claims.
   */
  singletonKey?: string;
  startAfterSeconds?: number;
  /** Enqueue inside the caller's transaction (commit-or-nothing with the caller's writes). */
  client?: Queryable;
  /**
   * Whose work this is (e.g. `portal:42`): a key far above its share of recent enqueues gets a lower
   * priority, so other keys' jobs are fetched first (fairness.ts).
   */
  fairKey?: string;
}

export interface JobQueueOptions {
  pollingIntervalSeconds?: number;
  superviseIntervalSeconds?: number;
  /** How often (across instances) jobs whose lease lapsed (dead workers) are failed and retried. Default 3. */
  monitorIntervalSeconds?: number;
  /** A running job's lease, renewed by its heartbeat (heartbeat.ts). Default 10. */
  leaseSeconds?: number;
  /** false: only send (no workers). */
  work?: boolean;
  /** When a key's burst starts yielding to other keys (fairness.ts). */
  fairness?: BurstMeterOptions;
}

const DEAD_SUFFIX = '.dead';
/** Completed jobs are kept a day (pg-boss's monitor counts the job table every few seconds). */
const KEEP_COMPLETED_SECONDS = 24 * 60 * 60;

/**
 * Durable work on PostgreSQL (pg-boss): survives process death, shared by every instance.
 * Retries with exponential backoff; a job that exhausts them lands in `<queue>.dead`. A running job
 * holds a short lease renewed by a heartbeat (heartbeat.ts), so a dead worker's job is retried in
 * seconds, not after a long expiry.
 */
/** pg-boss's statements run on the caller's client: the job commits (or not) with the caller's writes. */
const bossDb = (client: Queryable) => ({ executeSql: (text: string, values: unknown[]) => client.query(text, values) });

export class JobQueue {
  readonly boss: PgBoss;
  private readonly definitions = new Map<string, JobDefinition<any>>();
  private readonly workers = new Map<string, QueueWorker<any>>();
  private started = false;
  /** Handlers running in this process right now. */
  private running = 0;
  private readonly bursts: BurstMeter;
  /** Work a job handed off to run after it (detach): idle() and stop() wait for it like a running job. */
  private readonly detached = new Set<Promise<void>>();
  private readonly gates = new Map<string, { active: number; waiting: Array<(go: boolean) => void> }>();
  private stopping = false;
  /** pg-boss's own queries in flight (its supervise pass keeps running after boss.stop()). */
  private readonly bossQueries = new Set<Promise<unknown>>();

  constructor(
    private readonly db: Database,
    private readonly logger: Logger,
    private readonly opts: JobQueueOptions = {},
  ) {
    this.bursts = new BurstMeter(opts.fairness);
    this.boss = new PgBoss({
      db: { executeSql: (text: string, values: unknown[]) => this.track(db.query(text, values)) },
      schema: 'pgboss',
      superviseIntervalSeconds: opts.superviseIntervalSeconds ?? 2,
      monitorIntervalSeconds: opts.monitorIntervalSeconds ?? 3,
      maintenanceIntervalSeconds: 300,
      schedule: false, // periodic work goes through Scheduler (once per period, testable clock)
    } as any);
    this.boss.on('error', (err: Error) => logger.error({ err }, 'job queue error'));
  }

  async start(): Promise<void> {
    if (this.started) return;
    await this.boss.start();
    this.started = true;
    this.stopping = false;
    for (const def of this.definitions.values()) await this.activate(def);
  }

  /** Registers a queue and its handler; workers start with `start()` (or at once if started). */
  async define<T extends object>(def: JobDefinition<T>): Promise<void> {
    this.definitions.set(def.name, def);
    if (this.started) await this.activate(def);
  }

  private leaseOf(def: JobDefinition<any>): number {
    return Math.min(this.opts.leaseSeconds ?? DEFAULT_LEASE_SECONDS, def.expireInSeconds ?? 300);
  }

  private async activate(def: JobDefinition<any>): Promise<void> {
    const dead = def.name + DEAD_SUFFIX;
    const options = {
      retryLimit: def.retryLimit ?? 5,
      retryDelay: def.retryDelaySeconds ?? 2,
      retryBackoff: true,
      retryDelayMax: def.retryDelayMaxSeconds ?? 600,
      // pg-boss's expiry is the lease; the heartbeat renews it up to expireInSeconds.
      expireInSeconds: this.leaseOf(def),
      deleteAfterSeconds: KEEP_COMPLETED_SECONDS,
      deadLetter: dead,
    };
    await this.boss.createQueue(dead);
    await this.boss.createQueue(def.name, { ...options, policy: def.policy ?? 'standard' });
    // createQueue keeps an existing queue's settings: apply today's (a deployment made with a 300 s expiry).
    await this.boss.updateQueue(def.name, { ...options });
    // pg-boss looks a queue up through the pool on first send and caches it; warm that cache now,
    // so a send inside a transaction never waits on a second connection (deadlock on PGlite).
    await this.boss.getQueueStats(dead);
    await this.boss.getQueueStats(def.name);
    if (this.opts.work === false) return;
    const worker = new QueueWorker<any>({
      boss: this.boss,
      name: def.name,
      concurrency: def.concurrency ?? 2,
      pollingIntervalMs: (this.opts.pollingIntervalSeconds ?? 0.5) * 1000,
      logger: this.logger,
      handler: def.handler,
      onRunning: (delta) => (this.running += delta),
      lease: { db: this.db, seconds: this.leaseOf(def), maxSeconds: def.expireInSeconds ?? 300 },
    });
    this.workers.set(def.name, worker);
    worker.start();
  }

  async send<T extends object>(name: string, data: T, opts: SendOptions = {}): Promise<string | null> {
    const client = opts.client;
    const id = await this.boss.send(name, data, {
      id: jobId(),
      singletonKey: opts.singletonKey,
      startAfter: opts.startAfterSeconds,
      ...(opts.fairKey ? { priority: this.bursts.priorityFor(`${name}|${opts.fairKey}`) } : {}),
      ...(client ? { db: bossDb(client) } : {}),
    } as any);
    this.notifyOnceStored(name, client);
    return id;
  }

  /** Wakes a local worker now rather than at its next poll; inside a transaction, once it commits. */
  private notifyOnceStored(name: string, client: Queryable | undefined): void {
    if (client) afterCommit(client, () => this.notify(name));
    else this.notify(name);
  }

  /**
   * Enqueues several jobs of one queue in ONE statement (pg-boss's insert); on a 'short' queue a
   * key already queued absorbs its job, as with send(). For the ack path's wake-ups: one round trip
   * per group commit instead of one per lane.
   */
  async sendMany<T extends object>(name: string, jobs: { data: T; singletonKey?: string }[], opts: { client?: Queryable } = {}): Promise<void> {
    if (!jobs.length) return;
    const client = opts.client;
    await this.boss.insert(
      name,
      jobs.map((j) => ({ id: jobId(), name, data: j.data, singletonKey: j.singletonKey })),
      client ? ({ db: bossDb(client) } as any) : undefined,
    );
    this.notifyOnceStored(name, client);
  }

  /**
   * Runs `fn` outside any job (a job's follow-up that must not hold its slot, e.g. a send waiting for
   * the number's pace), at most `concurrency` of a `label` at once in this process, counted as
   * running: idle() waits for it; stop() lets it run (bounded) and, past half its bound, drops work
   * not yet started. Its durability is the caller's (state already committed that a sweeper
   * resumes); errors are logged.
   */
  detach(label: string, concurrency: number, fn: () => Promise<void>): void {
    let gate = this.gates.get(label);
    if (!gate) this.gates.set(label, (gate = { active: 0, waiting: [] }));
    const g = gate;
    this.running++;
    const turn = g.active < concurrency ? (g.active++, Promise.resolve(true)) : new Promise<boolean>((r) => g.waiting.push(r));
    const p = turn
      .then((go) => (go && !this.stopping ? fn() : undefined))
      .catch((err) => this.logger.error({ err, work: label }, 'detached work failed'))
      .finally(() => {
        const next = g.waiting.shift();
        if (next) next(true); // the permit passes on
        else g.active--;
        this.running--;
        this.detached.delete(p);
      });
    this.detached.add(p);
  }

  notify(name: string): void {
    this.workers.get(name)?.notify();
  }

  /**
   * Quiescence: resolves once no job is queued (due within `horizonSeconds`) or running, seen twice
   * in a row. Dead letters do not count. Throws after `timeoutMs` with what is still busy.
   */
  async idle(o: { timeoutMs?: number; horizonSeconds?: number } = {}): Promise<void> {
    const deadline = Date.now() + (o.timeoutMs ?? 30_000);
    let quiet = 0;
    for (;;) {
      const r = await this.db.query<{ name: string; n: number }>(
        `SELECT name, count(*)::int AS n FROM pgboss.job
          WHERE state IN ('created', 'retry', 'active') AND start_after <= now() + make_interval(secs => $1)
            AND name NOT LIKE '%${DEAD_SUFFIX}'
          GROUP BY name`,
        [o.horizonSeconds ?? 5],
      );
      if (r.rows.length === 0 && this.running === 0) {
        if (++quiet >= 2) return;
      } else quiet = 0;
      if (Date.now() > deadline) throw new Error(`idle: still busy: ${r.rows.map((x) => `${x.name}×${x.n}`).join(', ') || `${this.running} running`}`);
      await new Promise((res) => setTimeout(res, 15));
    }
  }

  /** Jobs waiting in a queue's dead-letter queue (for tests and operators). */
  async deadLetters(name: string): Promise<number> {
    const r = await this.db.query(
      `SELECT count(*)::int AS n FROM pgboss.job WHERE name = $1`,
      [name + DEAD_SUFFIX],
    );
    return r.rows[0].n;
  }

  /** Stops fetching new jobs and waits (up to `timeoutMs`) for running ones to finish. */
  async stop(timeoutMs = 20_000): Promise<void> {
    if (!this.started) return;
    this.started = false;
    // Detached work still starts (a running job's follow-up too) until half the bound has passed;
    // after that, what waits for its turn is dropped (its sweeper resumes it) and what runs finishes.
    const soft = setTimeout(() => (this.stopping = true), timeoutMs / 2);
    await Promise.all([...this.workers.values()].map((w) => w.stop(timeoutMs)));
    this.workers.clear();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([...this.detached]), new Promise((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
    clearTimeout(soft);
    this.stopping = true;
    await this.boss.stop({ graceful: true, wait: true, timeout: timeoutMs, close: false } as any);
    // boss.stop() does not wait for a supervise pass already running: its next query would meet a
    // closed pool ("Cannot use a pool after calling end"). Wait until pg-boss has nothing in flight.
    const deadline = Date.now() + timeoutMs;
    while (this.bossQueries.size && Date.now() < deadline) {
      await Promise.allSettled([...this.bossQueries]);
      await new Promise((r) => setImmediate(r)); // lets the pass issue its next query, or finish
    }
  }

  private track<T>(q: Promise<T>): Promise<T> {
    this.bossQueries.add(q);
    void q.finally(() => this.bossQueries.delete(q)).catch(() => undefined);
    return q;
  }
}
