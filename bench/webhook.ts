/**
 * `npm run bench:webhook` — signed Meta webhook POSTs against the app on PostgreSQL, side by side
 * with a bare Express endpoint that only answers 200, in one run.
 *
 * Prints: events per second acknowledged, p50 / p99 acknowledgement latency, the ratio to the bare
 * endpoint, and events lost (sent minus stored in webhook_events). Each server runs in its own
 * child process (the load generator here does not share its CPU time with the server's event loop).
 *
 * PostgreSQL: DATABASE_URL when set (a fresh database is created and dropped), else the embedded one.
 * Two phases against the same web process (job workers off): (1) the acknowledgement path alone, a
 * burst that is processed afterwards; (2) the same load while a worker process on the same database
 * and machine processes the backlog, competing for the same CPUs.
 * Options: --requests=N per phase (default 10000) --concurrency=C (default 32) --warmup=N (default 1000)
 *          --no-workers (skip phase 2) --in-process-workers (job workers in the web process too)
 *          --only-whatsapp (register only the WhatsApp module)
 * BENCH_APP_PROF=<dir> writes the app process's CPU profile (summarise with bench/pipeline/profile.ts).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const APP_SECRET = 'bench-meta-app-secret';
const PHONE_NUMBER_ID = '106540352242922';
const WABA_ID = '102290129340398';
const PORTAL_ID = 4242;

const arg = (name: string, def: number): number => {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? Number(a.split('=')[1]) : def;
};
const flag = (name: string): boolean => process.argv.includes(`--${name}`);

/** The app's environment in every bench process (Meta is never called: the base URL is a closed port). */
const benchEnv = (dataDir: string): Record<string, string> => ({
  NODE_ENV: 'test',
  LOG_LEVEL: 'error',
  DATA_DIR: dataDir,
  PUBLIC_BASE_URL: 'http://127.0.0.1',
  WHATSAPP_APP_SECRET: APP_SECRET,
  WHATSAPP_VERIFY_TOKEN: 'bench',
  WHATSAPP_API_BASE_URL: 'http://127.0.0.1:9',
  HUBSPOT_CLIENT_ID: 'bench',
  HUBSPOT_CLIENT_SECRET: 'bench',
  ENCRYPTION_KEY: Buffer.alloc(32, 3).toString('base64'),
});

// ------------------------------------------------------------------------------------------------
// Servers (child processes)
// ------------------------------------------------------------------------------------------------

async function serveBare(): Promise<void> {
  const { default: express } = await import('express');
  const app = express();
  app.disable('x-powered-by');
  app.post('/webhooks/whatsapp', (_req, res) => {
    res.status(200).end();
  });
  const server = app.listen(0, '127.0.0.1', () => {
    const addr = server.address() as { port: number };
    process.send!({ ready: `http://127.0.0.1:${addr.port}` });
  });
  process.on('message', (m: { cmd?: string }) => {
    if (m.cmd === 'stop') server.close(() => process.exit(0));
  });
}

/** Job workers in their own process on the same database (the web process only acknowledges). */
async function serveWorker(): Promise<void> {
  const { loadConfig } = await import('../src/config.js');
  const { openDatabase } = await import('../src/db/database.js');
  const { createRuntime } = await import('../src/server.js');
  const dbUrl = process.argv.find((x) => x.startsWith('--db='))!.slice(5);
  const dataDir = process.argv.find((x) => x.startsWith('--data='))!.slice(7);
  const config = loadConfig(benchEnv(dataDir));
  const db = await openDatabase({ databaseUrl: dbUrl, poolMax: 4 });
  const rt = await createRuntime(config, { db, work: true, ...(flag('only-whatsapp') ? { domains: { hubspot: false, conversations: false } as const } : {}) });
  process.send!({ ready: 'worker' });
  process.on('message', async (m: { cmd?: string }) => {
    if (m.cmd === 'stop') {
      await rt.close();
      await db.close();
      process.exit(0);
    }
  });
}

async function serveApp(): Promise<void> {
  const { createScratchDatabase } = await import('../src/db/scratch-database.js');
  const { loadConfig } = await import('../src/config.js');
  const { openDatabase } = await import('../src/db/database.js');
  const { createRuntime } = await import('../src/server.js');

  const serverUrl = process.env.DATABASE_URL;
  let dbUrl: string | undefined;
  let drop: (() => Promise<void>) | undefined;
  if (serverUrl) {
    const scratch = await createScratchDatabase(serverUrl, { prefix: 'bench' });
    dbUrl = scratch.url;
    drop = scratch.drop;
  }
  const dataDir = mkdtempSync(path.join(tmpdir(), 'wa-bench-'));
  const config = loadConfig({ ...benchEnv(dataDir), DB_POOL_MAX: '20', ...(dbUrl ? { DATABASE_URL: dbUrl } : {}) });
  // In memory when embedded (no DATA_DIR): like the app's embedded mode minus the disk.
  const db = await openDatabase({ databaseUrl: config.databaseUrl, poolMax: config.dbPoolMax });
  const rt = await createRuntime(config, {
    db,
    work: flag('in-process-workers'),
    ...(flag('only-whatsapp') ? { domains: { hubspot: false, conversations: false } as const } : {}),
  });
  await rt.ctx.db.query(`INSERT INTO portals (id) VALUES ($1) ON CONFLICT DO NOTHING`, [PORTAL_ID]);
  await rt.ctx.db.query(
    `INSERT INTO whatsapp_numbers (portal_id, phone_number_id, waba_id, label, access_token_enc) VALUES ($1, $2, $3, 'Bench', $4)`,
    [PORTAL_ID, PHONE_NUMBER_ID, WABA_ID, rt.ctx.secrets.encrypt('bench-token')],
  );
  const { url } = await rt.listen(0, '127.0.0.1');
  process.send!({ ready: url, db: db.describe, dbUrl: db.url, dataDir });
  process.on('message', async (m: { cmd?: string }) => {
    if (m.cmd === 'count') {
      const r = await rt.ctx.db.query(`SELECT count(*)::int AS n, count(*) FILTER (WHERE state <> 'pending')::int AS processed FROM webhook_events`);
      process.send!({ stored: r.rows[0].n, processed: r.rows[0].processed });
    }
    if (m.cmd === 'stop') {
      await rt.close();
      await db.close();
      await drop?.();
      process.exit(0);
    }
  });
}

// ------------------------------------------------------------------------------------------------
// Load generator (parent)
// ------------------------------------------------------------------------------------------------

function metaJson(payload: unknown): string {
  return JSON.stringify(payload)
    .replace(/[\u007f-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'))
    .replace(/\//g, '\\/');
}

/** One event per POST: alternately an inbound text message and a status update, unique ids. */
function payload(i: number): string {
  const ts = String(1750000000 + i);
  const value: Record<string, unknown> = {
    messaging_product: 'whatsapp',
    metadata: { display_phone_number: '15550783881', phone_number_id: PHONE_NUMBER_ID },
  };
  if (i % 2 === 0) {
    value.contacts = [{ profile: { name: 'Cliente Bench' }, wa_id: `57300${String(i % 5000).padStart(7, '0')}` }];
    value.messages = [{ from: `57300${String(i % 5000).padStart(7, '0')}`, id: `wamid.bench.${i}`, timestamp: ts, type: 'text', text: { body: `Hola, ¿pedido #${i}?` } }];
  } else {
    value.statuses = [{ id: `wamid.bench.out.${i}`, status: 'delivered', timestamp: ts, recipient_id: '573001234567' }];
  }
  return metaJson({ object: 'whatsapp_business_account', entry: [{ id: WABA_ID, changes: [{ value, field: 'messages' }] }] });
}

interface RunResult {
  sent: number;
  ok: number;
  failed: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
}

async function load(url: string, total: number, concurrency: number, offset: number): Promise<RunResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const target = new URL('/webhooks/whatsapp', url);
  const bodies = Array.from({ length: total }, (_, i) => {
    const body = Buffer.from(payload(offset + i));
    return { body, sig: 'sha256=' + createHmac('sha256', APP_SECRET).update(body).digest('hex') };
  });
  const latencies = new Float64Array(total);
  let next = 0;
  let ok = 0;
  let failed = 0;
  const post = (i: number) =>
    new Promise<void>((resolve) => {
      const { body, sig } = bodies[i]!;
      const t0 = process.hrtime.bigint();
      const req = http.request(
        target,
        { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': body.length, 'x-hub-signature-256': sig } },
        (res) => {
          res.resume();
          res.on('end', () => {
            latencies[i] = Number(process.hrtime.bigint() - t0) / 1e6;
            if (res.statusCode === 200) ok++;
            else failed++;
            resolve();
          });
        },
      );
      req.on('error', () => {
        latencies[i] = Number(process.hrtime.bigint() - t0) / 1e6;
        failed++;
        resolve();
      });
      req.end(body);
    });
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (;;) {
        const i = next++;
        if (i >= total) return;
        await post(i);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  agent.destroy();
  const sorted = Array.from(latencies).sort((a, b) => a - b);
  const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
  return { sent: total, ok, failed, seconds, perSecond: ok / seconds, p50: pct(50), p99: pct(99), max: sorted[sorted.length - 1]! };
}

/** BENCH_APP_PROF=<dir>: the app process writes its V8 CPU profile there when it exits. */
const appProfile = (role: string): string[] => (role === 'app' && process.env.BENCH_APP_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_APP_PROF}`] : []);

function start(role: 'app' | 'bare' | 'worker', extra: string[] = []): Promise<{ child: ChildProcess; url: string; db?: string; dbUrl?: string; dataDir?: string }> {
  const child = fork(fileURLToPath(import.meta.url), [`--serve=${role}`, ...extra, ...process.argv.slice(2)], { execArgv: [...process.execArgv, ...appProfile(role)], stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${role} server exited with ${code}`)));
    child.on('message', (m: { ready?: string; db?: string; dbUrl?: string; dataDir?: string }) => {
      if (m.ready) resolve({ child, url: m.ready, db: m.db, dbUrl: m.dbUrl, dataDir: m.dataDir });
    });
  });
}

function ask<T>(child: ChildProcess, cmd: string): Promise<T> {
  return new Promise((resolve) => {
    const on = (m: T) => {
      child.off('message', on);
      resolve(m);
    };
    child.on('message', on);
    child.send({ cmd });
  });
}

async function stop(child: ChildProcess): Promise<void> {
  child.removeAllListeners('exit');
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.send({ cmd: 'stop' });
  await exited;
}

const fmt = (n: number, d = 1) => n.toFixed(d);

async function main(): Promise<void> {
  const total = arg('requests', 10000);
  const concurrency = arg('concurrency', 32);
  const warmup = arg('warmup', 1000);
  console.log(`bench:webhook — ${total} signed POSTs per run (1 event each: half inbound messages, half statuses), concurrency ${concurrency}, ${warmup} warm-up`);

  const bare = await start('bare');
  await load(bare.url, warmup, concurrency, 0);
  const b = await load(bare.url, total, concurrency, warmup);
  await stop(bare.child);

  const app = await start('app');
  console.log(`app on ${app.db}`);
  await load(app.url, warmup, concurrency, 10_000_000);

  // Phase 1: acknowledgement path alone (a burst absorbed; the stored events are processed afterwards).
  const c0 = await ask<{ stored: number }>(app.child, 'count');
  const a = await load(app.url, total, concurrency, 20_000_000);
  const c1 = await ask<{ stored: number; processed: number }>(app.child, 'count');

  // Phase 2: the same load while a worker process on the same machine processes the backlog.
  let a2: RunResult | undefined;
  let c2: { stored: number; processed: number } | undefined;
  let worker: Awaited<ReturnType<typeof start>> | undefined;
  if (!flag('no-workers')) {
    worker = await start('worker', [`--db=${app.dbUrl}`, `--data=${app.dataDir}`]);
    a2 = await load(app.url, total, concurrency, 30_000_000);
    c2 = await ask<{ stored: number; processed: number }>(app.child, 'count');
    await stop(worker.child);
  }
  await stop(app.child);

  const row = (name: string, r: RunResult) =>
    `${name.padEnd(34)} ${fmt(r.perSecond, 0).padStart(6)} ev/s   p50 ${fmt(r.p50, 2).padStart(6)} ms   p99 ${fmt(r.p99, 2).padStart(6)} ms   max ${fmt(r.max, 1).padStart(6)} ms   ${r.ok}/${r.sent} answered 200`;
  const verdict = (label: string, r: RunResult, stored: number) => {
    const ratio = r.perSecond / b.perSecond;
    const lost = r.ok - stored;
    console.log(`${label}`);
    console.log(`  events acknowledged/s : ${fmt(r.perSecond, 0)}   (goal ≥ 1500)  ${r.perSecond >= 1500 ? 'OK' : 'MISSED'}`);
    console.log(`  p50 / p99 ack latency : ${fmt(r.p50, 2)} ms / ${fmt(r.p99, 2)} ms   (goal p99 < 50 ms)  ${r.p99 < 50 ? 'OK' : 'MISSED'}`);
    console.log(`  ratio to bare Express : ${fmt(ratio * 100, 1)}%   (goal ≥ 40%)  ${ratio >= 0.4 ? 'OK' : 'MISSED'}`);
    console.log(`  lost (acked − stored) : ${lost}   (sent ${r.sent}, acked ${r.ok}, refused ${r.failed}, stored ${stored})  ${lost === 0 && r.failed === 0 ? 'OK' : 'MISSED'}`);
  };
  console.log('');
  console.log(row('bare Express (answers 200)', b));
  console.log(row('app, ack path (no processing)', a));
  if (a2) console.log(row('app, while a worker processes', a2));
  console.log('');
  verdict('app, ack path (events stored durably, processing afterwards):', a, c1.stored - c0.stored);
  if (a2 && c2) {
    verdict('app, with a worker process draining the backlog on the same machine:', a2, c2.stored - c1.stored);
    console.log(`  processed meanwhile   : ${c2.processed} of ${c2.stored} stored events (processing continues after the ack)`);
  }
}

const serve = process.argv.find((x) => x.startsWith('--serve='))?.split('=')[1];
if (serve === 'bare') void serveBare();
else if (serve === 'app') void serveApp();
else if (serve === 'worker') void serveWorker();
else
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
