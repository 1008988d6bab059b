/**
 * `npm run bench:reports` — the manager dashboard's report and export on 1,000,000 messages in
 * 100,000 conversations over 90 days (20 agents, 3 numbers), bulk-loaded with generate_series into
 * the real tables and the reporting events/rollup. Prints p50/p95 of GET /api/v1/reports/conversations
 * for 7-, 30- and 90-day ranges, with and without filters, over HTTP against the real app; the time
 * to download the 90-day CSV; and the write path's reporting cost.
 *
 * PostgreSQL: DATABASE_URL when set (a fresh database is created and dropped), else the embedded one.
 * Options: --conversations=N (default 100000) --messages=M per conversation (default 10) --runs=R (default 40)
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ManualClock } from '../src/clock.js';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/database.js';
import { createScratchDatabase } from '../src/db/scratch-database.js';
import { signHubSpotV3 } from '../src/http/signed-request.js';
import { createRuntime } from '../src/server.js';
import { loadHistory, PORTAL_ID } from './reports/load.js';
import { measureWritePath, quietSeams } from './reports/write-path.js';

const arg = (name: string, def: number): number => {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? Number(a.split('=')[1]) : def;
};
const SECRET = 'bench-hubspot-secret';
const BASE = 'http://bench.test';
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};
const fmt = (ms: number) => `${ms.toFixed(1)} ms`;
const isoDay = (d: Date) => d.toISOString().slice(0, 10);

type Call = (method: 'GET' | 'POST', p: string, query: Record<string, string>, body?: object) => Promise<Response>;

/** p50/p95 of the report for 7, 30 and 90 days, with and without filters. */
async function measureReports(call: Call, end: Date, runs: number): Promise<void> {
  const goals: Record<number, number> = { 7: 150, 30: 150, 90: 400 };
  const filters: [string, Record<string, string>][] = [
    ['no filter', {}],
    ['one number', { phoneNumberId: 'pn2' }],
    ['one agent', { agentId: '7' }],
    ['number + agent', { phoneNumberId: 'pn2', agentId: '7' }],
  ];
  console.log(`\nGET /api/v1/reports/conversations (${runs} runs each after 3 warm-up calls)`);
  for (const days of [7, 30, 90]) {
    const from = isoDay(new Date(end.getTime() - (days - 1) * 86_400_000));
    for (const [name, f] of filters) {
      const q = { from, to: isoDay(end), ...f };
      for (let i = 0; i < 3; i++) await (await call('GET', '/api/v1/reports/conversations', q)).json();
      const ms: number[] = [];
      let total = 0;
      for (let i = 0; i < runs; i++) {
        const s = performance.now();
        const body = (await (await call('GET', '/api/v1/reports/conversations', q)).json()) as { totals: { conversations: number } };
        ms.push(performance.now() - s);
        total = body.totals.conversations;
      }
      const p95 = pct(ms, 95);
      console.log(
        `  ${String(days).padStart(2)} days, ${name.padEnd(14)} ${String(total).padStart(6)} conv.  p50 ${fmt(pct(ms, 50)).padStart(9)}  p95 ${fmt(p95).padStart(9)}  goal p95 < ${goals[days]} ms  ${p95 < goals[days]! ? 'OK' : 'MISSED'}`,
      );
    }
  }
}

async function main(): Promise<void> {
  const conversations = arg('conversations', 100_000);
  const perConversation = arg('messages', 10);
  const runs = arg('runs', 40);
  const serverUrl = process.env.DATABASE_URL;
  const scratch = serverUrl ? await createScratchDatabase(serverUrl, { prefix: 'bench_reports' }) : undefined;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bench-reports-'));
  const config = loadConfig({
    NODE_ENV: 'test', LOG_LEVEL: 'error', DATA_DIR: dataDir, PUBLIC_BASE_URL: BASE, HUBSPOT_CLIENT_ID: 'bench', HUBSPOT_CLIENT_SECRET: SECRET,
    ENCRYPTION_KEY: Buffer.alloc(32, 5).toString('base64'), ...(scratch ? { DATABASE_URL: scratch.url } : {}),
  });
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir, poolMax: 8 });
  // Tuesday 16:00 Bogotá: inside business hours for the write-path part.
  const end = new Date('2026-03-31T21:00:00.000Z');
  const clock = new ManualClock(end);
  const rt = await createRuntime(config, { db, clock, work: false, domains: { whatsapp: false, hubspot: false, conversations: { seams: quietSeams() } } });
  try {
    console.log(`database: ${db.describe}`);
    let t = performance.now();
    await loadHistory(db, { end, conversations, perConversation });
    const counts = (await db.query<{ m: string; c: string; e: string }>(
      'SELECT (SELECT count(*) FROM messages) AS m, (SELECT count(*) FROM conversations) AS c, (SELECT count(*) FROM reporting_events) AS e',
    )).rows[0]!;
    console.log(`loaded ${counts.m} messages, ${counts.c} conversations, ${counts.e} reporting events in ${((performance.now() - t) / 1000).toFixed(1)} s`);

    const { url } = await rt.listen(0, '127.0.0.1');
    const call = async (method: 'GET' | 'POST', p: string, query: Record<string, string>, body?: object) => {
      const qs = new URLSearchParams({ ...query, portalId: String(PORTAL_ID), userId: '1' }).toString();
      const raw = body ? JSON.stringify(body) : '';
      const ts = String(clock.now().getTime());
      const sig = signHubSpotV3({ method, url: `${BASE}${p}?${qs}`, body: raw, timestamp: ts, secret: SECRET });
      const res = await fetch(`${url}${p}?${qs}`, {
        method,
        headers: { 'X-HubSpot-Signature-v3': sig, 'X-HubSpot-Request-Timestamp': ts, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: raw } : {}),
      });
      if (!res.ok) throw new Error(`${method} ${p} answered ${res.status}: ${await res.text()}`);
      return res;
    };

    await measureReports(call, end, runs);
    const days = (await db.query<{ n: string }>('SELECT count(*) AS n FROM report_days')).rows[0]!.n;
    console.log(`  (the report reads report_days, ${days} rows: portal x day x number x agent, plus changes not folded yet; the export reads report_conversations by (portal_id, started_at, conversation_id))`);

    t = performance.now();
    const link = (await (await call('POST', '/api/v1/reports/exports', {}, { from: isoDay(new Date(end.getTime() - 89 * 86_400_000)), to: isoDay(end) })).json()) as { url: string };
    const csv = await fetch(`${url}${new URL(link.url).pathname}`);
    const text = await csv.text();
    const exportS = (performance.now() - t) / 1000;
    const rows = text.split('\r\n').length - 2;
    console.log(`\nexport 90 days: ${rows} rows, ${(text.length / 1e6).toFixed(1)} MB in ${exportS.toFixed(2)} s  goal < 10 s  ${exportS < 10 ? 'OK' : 'MISSED'}`);

    const w = await measureWritePath(rt.ctx, rt.services.conversations!, arg('write', 200), end);
    const share = (w.reportingMs / w.inboundMs) * 100;
    console.log(
      `\nwrite path: handleInbound of a new conversation (in-process: contact lock, conversation, routing, reporting; no webhook, job queue, ` +
        `Meta or HubSpot) ${fmt(w.inboundMs)} mean; its reporting statements (${w.statements.toFixed(1)} round trips per message: report_record for opened + routed), ` +
        `timed inside those calls, ${fmt(w.reportingMs)} = ${share.toFixed(1)}% of handleInbound  goal < 10%  ${share < 10 ? 'OK' : 'MISSED'}`,
    );
  } finally {
    await rt.close();
    await db.close();
    await scratch?.drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
