import { fork, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { Database } from '../../src/db/database.js';
import { SharedRateLimiter } from '../../src/limits/index.js';
import { testDatabase } from '../helpers/db.js';

const INSTANCE = fileURLToPath(new URL('./limiter-instance.ts', import.meta.url));
let db: Database;

beforeAll(async () => {
  db = await testDatabase();
});
afterAll(async () => {
  await db?.close();
});

interface Instance {
  child: ChildProcess;
  starts: number[];
  done: Promise<void>;
  go(): void;
}

function startInstance(args: { key: string; count: number; rate: number; skewMs: number; mode?: 'run' | 'die-holding' }): Promise<Instance> {
  const child = fork(INSTANCE, [db.url, args.key, String(args.count), String(args.rate), String(args.skewMs), args.mode ?? 'run'], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const starts: number[] = [];
  let buf = '';
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    const lines = buf.split('\n');
    buf = lines.pop()!;
    for (const l of lines) if (l) starts.push(Number(l));
  });
  const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve({ child, starts, done, go: () => child.send('go') }));
    child.once('exit', (code) => reject(new Error(`instance exited ${code}`)));
  });
}

/** The most starts inside any window of `windowMs` (sliding, starting at each start). */
function maxInWindow(starts: number[], windowMs: number): number {
  const s = [...starts].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < s.length; i++) {
    while (s[i]! - s[j]! >= windowMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

describe('the shared limiter across instances', () => {
  test('two instances, one with its clock a second ahead, never exceed the rate together', async () => {
    const a = await startInstance({ key: 'two', count: 60, rate: 40, skewMs: 0 });
    const b = await startInstance({ key: 'two', count: 60, rate: 40, skewMs: 1000 });
    a.go();
    b.go();
    await Promise.all([a.done, b.done]);
    const all = [...a.starts, ...b.starts];
    expect(all).toHaveLength(120);
    expect(a.starts.length).toBe(60);
    // 40/s shared: slots are 25 ms apart on the database's clock; timers on a busy machine wake a few
    // ms late, so a second may see 40 + 2. Without the shared booking it would be ~80.
    expect(maxInWindow(all, 1000)).toBeLessThanOrEqual(42);
    const span = Math.max(...all) - Math.min(...all);
    expect(span).toBeGreaterThanOrEqual(2900);
    expect(span).toBeLessThan(6000);
  });

  test('an instance killed while holding booked slots does not stall the others beyond those slots', async () => {
    const dead = await startInstance({ key: 'kill', count: 20, rate: 40, skewMs: 0, mode: 'die-holding' });
    const booked = new Promise((r) => dead.child.once('message', r));
    dead.go();
    await booked;
    dead.child.kill('SIGKILL');
    await dead.done;
    // The dead instance booked 20 slots at 40/s: half a second. The survivor starts after them and runs at full rate.
    const limiter = new SharedRateLimiter(db.pool);
    const t0 = performance.now();
    const starts: number[] = [];
    await Promise.all(Array.from({ length: 40 }, () => limiter.acquire('kill', { ratePerSecond: 40 }).then(() => starts.push(performance.now() - t0))));
    const first = Math.min(...starts);
    const last = Math.max(...starts);
    expect(first).toBeLessThan(700);
    expect(last - first).toBeGreaterThanOrEqual(900); // still paced: 40 at 40/s
    expect(last).toBeLessThan(2500);
  });

  test('bulk work never books far ahead, so a reply waits behind at most the bulk horizon', async () => {
    const limiter = new SharedRateLimiter(db.pool, { bulkHorizonMs: 200 });
    const spec = { ratePerSecond: 50 };
    let bulkDone = 0;
    const bulk = Promise.all(Array.from({ length: 100 }, () => limiter.acquire('prio', spec, 'bulk').then(() => bulkDone++)));
    await new Promise((r) => setTimeout(r, 300));
    const t0 = performance.now();
    await limiter.acquire('prio', spec, 'reply');
    const replyWait = performance.now() - t0;
    const bulkBefore = bulkDone;
    await bulk;
    // 100 bulk sends at 50/s take 2 s; the reply, asked 0.3 s in, went out ahead of most of them
    // (it queues only behind the 200 ms of bulk already booked).
    expect(bulkBefore).toBeLessThan(60);
    expect(replyWait).toBeLessThan(1000);
  });

  test('a throughput error holds every caller back', async () => {
    const limiter = new SharedRateLimiter(db.pool);
    await limiter.acquire('slow', { ratePerSecond: 100 });
    await limiter.slowDown('slow', 800);
    const t0 = performance.now();
    await limiter.acquire('slow', { ratePerSecond: 100 });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(700);
  });
});
