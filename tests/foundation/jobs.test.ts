import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ManualClock } from '../../src/clock.js';
import type { Database } from '../../src/db/database.js';
import { JobQueue } from '../../src/jobs/queue.js';
import { createLogger } from '../../src/logger.js';
import { testDatabase } from '../helpers/db.js';
import { NO_DOMAINS, startTestRuntime } from '../helpers/runtime.js';
import { waitFor } from '../helpers/wait.js';

const WORKER = fileURLToPath(new URL('../helpers/job-worker.ts', import.meta.url));


function startWorker(url: string, mode: 'hang' | 'work'): Promise<ChildProcess> {
  const child = fork(WORKER, [url, mode], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`worker exited ${code}`)));
  });
}

describe('job queue', () => {
  let db: Database;
  beforeAll(async () => {
    db = await testDatabase();
    await db.query(`CREATE TABLE job_log (job_key TEXT, event TEXT, pid INT, attempt INT, at TIMESTAMPTZ DEFAULT now())`);
  });
  afterAll(async () => db.close());

  it('finishes a job exactly once after its worker is killed mid-job', async () => {
    const producer = new JobQueue(db, createLogger('silent'), { work: false });
    await producer.define({ name: 'test.durable', handler: async () => {}, retryLimit: 3, retryDelaySeconds: 1, expireInSeconds: 2 });
    await producer.start();
    const first = await startWorker(db.url, 'hang');
    await producer.send('test.durable', { key: 'k1' });
    await waitFor(async () => (await db.query(`SELECT 1 FROM job_log WHERE job_key = 'k1' AND event = 'started'`)).rowCount);
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));

    const second = await startWorker(db.url, 'work');
    try {
      const finished = await waitFor(async () => {
        const r = await db.query(`SELECT pid, attempt FROM job_log WHERE job_key = 'k1' AND event = 'finished'`);
        return r.rowCount ? r.rows : undefined;
      });
      expect(finished).toHaveLength(1);
      expect(finished[0].pid).toBe(second.pid);
      expect(finished[0].attempt).toBeGreaterThanOrEqual(1); // a retry, not the first attempt
      // Nothing runs it again: pg-boss records the job completed (a completed job is never retried),
      // and by then it has finished exactly once.
      await waitFor(async () => (await db.query(`SELECT 1 FROM pgboss.job WHERE name = 'test.durable' AND state = 'completed'`)).rowCount);
      const state = await db.query(`SELECT state FROM pgboss.job WHERE name = 'test.durable'`);
      expect(state.rows.map((r) => r.state)).toEqual(['completed']);
      const again = await db.query(`SELECT count(*)::int AS n FROM job_log WHERE job_key = 'k1' AND event = 'finished'`);
      expect(again.rows[0].n).toBe(1);
    } finally {
      second.kill('SIGKILL');
      await producer.stop();
    }
  });

  it('keeps a long job of a live worker leased (heartbeat): it runs past its lease once, never retried', async () => {
    const jobs = new JobQueue(db, createLogger('silent'), { superviseIntervalSeconds: 1, monitorIntervalSeconds: 1, pollingIntervalSeconds: 0.5, leaseSeconds: 2 });
    const runs: number[] = [];
    await jobs.define({
      name: 'test.long',
      retryLimit: 3,
      retryDelaySeconds: 1,
      handler: async (_d, job) => {
        runs.push(job.retryCount);
        await new Promise((r) => setTimeout(r, 6500)); // three leases long
      },
    });
    await jobs.start();
    try {
      await jobs.send('test.long', {});
      await waitFor(async () => (await db.query(`SELECT 1 FROM pgboss.job WHERE name = 'test.long' AND state = 'completed'`)).rowCount, 'the long job completed');
      expect(runs).toEqual([0]);
      const job = await db.query(`SELECT retry_count, expire_seconds FROM pgboss.job WHERE name = 'test.long'`);
      expect(job.rows[0].retry_count).toBe(0);
      expect(job.rows[0].expire_seconds).toBeGreaterThan(2); // the heartbeat pushed the lease forward
    } finally {
      await jobs.stop();
    }
  });

  it('retries with backoff, then moves the job to the dead-letter queue', async () => {
    const jobs = new JobQueue(db, createLogger('silent'), { superviseIntervalSeconds: 1, pollingIntervalSeconds: 0.5 });
    const attempts: number[] = [];
    await jobs.define({
      name: 'test.failing',
      retryLimit: 2,
      retryDelaySeconds: 1,
      handler: async (_d, job) => {
        attempts.push(Date.now());
        throw new Error(`attempt ${job.retryCount} fails`);
      },
    });
    await jobs.start();
    try {
      await jobs.send('test.failing', { n: 1 });
      await waitFor(async () => (await jobs.deadLetters('test.failing')) === 1);
      expect(attempts).toHaveLength(3);
      // backoff: the second gap is not shorter than the first
      expect(attempts[2]! - attempts[1]!).toBeGreaterThanOrEqual(attempts[1]! - attempts[0]! - 300);
    } finally {
      await jobs.stop();
    }
  });

  it('runs a periodic task once per period with two app instances on one database', async () => {
    const clock = new ManualClock('2026-11-21T10:00:00Z');
    const a = await startTestRuntime({ db, clock, domains: NO_DOMAINS });
    const b = await startTestRuntime({ db, clock, domains: NO_DOMAINS });
    await db.query('CREATE TABLE tick_log (instance TEXT, period TIMESTAMPTZ)');
    for (const rt of [a, b]) {
      rt.ctx.scheduler.add({
        name: 'test.tick',
        everyMs: 60_000,
        run: async (period) => {
          await db.query('INSERT INTO tick_log VALUES ($1, $2)', [rt.ctx.scheduler.instanceId, period]);
        },
      });
    }
    try {
      // Both instances tick at the same moments, concurrently, over five periods.
      for (let i = 0; i < 5; i++) {
        await Promise.all([a.ctx.scheduler.tick(), b.ctx.scheduler.tick(), a.ctx.scheduler.tick(), b.ctx.scheduler.tick()]);
        clock.advance(60_000);
      }
      // And on their own timers (every 50 ms) while the clock stays in one period: five more passes each.
      const [pa, pb] = [a.ctx.scheduler.passes, b.ctx.scheduler.passes];
      await waitFor(async () => a.ctx.scheduler.passes >= pa + 5 && b.ctx.scheduler.passes >= pb + 5);
      const rows = (await db.query('SELECT period, count(*)::int AS n FROM tick_log GROUP BY period ORDER BY period')).rows;
      expect(rows).toHaveLength(6);
      expect(rows.every((r) => r.n === 1)).toBe(true);
      const instances = await db.query('SELECT DISTINCT instance FROM tick_log');
      expect(instances.rowCount).toBeGreaterThanOrEqual(1);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('lets a running job finish on graceful shutdown', async () => {
    const rt = await startTestRuntime({ db, domains: NO_DOMAINS });
    let started = false;
    await rt.ctx.jobs.define({
      name: 'test.slow',
      handler: async () => {
        started = true;
        await new Promise((r) => setTimeout(r, 1500));
        await db.query(`INSERT INTO job_log (job_key, event) VALUES ('slow', 'finished')`);
      },
    });
    await rt.ctx.jobs.send('test.slow', {});
    await waitFor(async () => started);
    await rt.close();
    const r = await db.query(`SELECT count(*)::int AS n FROM job_log WHERE job_key = 'slow'`);
    expect(r.rows[0].n).toBe(1);
  });

  it('detached work runs a few at a time, in order, counts for idle(), and stop drops what has not started by half its bound', async () => {
    const jobs = new JobQueue(db, createLogger('silent'), { work: true });
    await jobs.start();
    let running = 0;
    let most = 0;
    const done: number[] = [];
    // 2 at once, 100 ms each: 20 of them are a second of work; stop(1000) lets work start for 500 ms.
    for (let i = 0; i < 20; i++) {
      jobs.detach('test.detached', 2, async () => {
        most = Math.max(most, ++running);
        await new Promise((r) => setTimeout(r, 100));
        running--;
        done.push(i);
      });
    }
    await expect(jobs.idle({ timeoutMs: 50 })).rejects.toThrow(/running/);
    await jobs.stop(1000);
    expect(most).toBe(2);
    expect(done.length).toBeGreaterThan(2);
    expect(done.length).toBeLessThan(20);
    expect(done).toEqual(Array.from({ length: done.length }, (_, i) => i)); // first come, first served; the rest dropped
  });

  it('sendMany enqueues with the caller\'s transaction, one job per new key on a short queue, nothing on rollback', async () => {
    const jobs = new JobQueue(db, createLogger('silent'), { work: false });
    await jobs.define({ name: 'test.wakes', policy: 'short', handler: async () => {} });
    await jobs.start();
    const queued = async () =>
      (await db.query<{ k: string }>(`SELECT singleton_key AS k FROM pgboss.job WHERE name = 'test.wakes' AND state = 'created' ORDER BY 1`)).rows.map((r) => r.k);
    await jobs.send('test.wakes', { n: 0 }, { singletonKey: 'a' });
    await db.tx(async (c) => jobs.sendMany('test.wakes', ['a', 'b', 'c'].map((k) => ({ data: { k }, singletonKey: k })), { client: c }));
    expect(await queued()).toEqual(['a', 'b', 'c']); // 'a' was already waiting: absorbed
    await expect(
      db.tx(async (c) => {
        await jobs.sendMany('test.wakes', [{ data: {}, singletonKey: 'd' }], { client: c });
        throw new Error('the caller fails');
      }),
    ).rejects.toThrow('the caller fails');
    expect(await queued()).toEqual(['a', 'b', 'c']);
    await jobs.stop(1000);
  });
});
