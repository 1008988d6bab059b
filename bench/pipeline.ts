/**
 * `npm run bench:pipeline` — the whole inbound path under a fixed arrival rate: signed Meta webhooks
 * (new customers meeting the consent bot, consented customers chatting with their agent) → stored →
 * consent bot / routing → the reply sent to Meta (simulator) → the HubSpot timeline (simulator).
 *
 * The app runs as child processes through its entry points (src/main.ts, src/worker.ts) on one
 * PostgreSQL: DATABASE_URL when set (a scratch database, dropped afterwards), else an in-memory PGlite
 * served from its own process (one session: only --instances=1 --workers=inline is meaningful).
 *
 * Options: --rate=80 (messages/s) --seconds=20 --mode=new|chat|mixed (default new)
 *          --workers=inline|separate (default inline) --instances=1|3 (default 1)
 *          --tier=80 (the number's messages/s at Meta and in the app) --chat-customers=N (default 150)
 *          --drain=45 (s to wait for the backlog after the load) --cpu-prof (profiles into ./.bench-prof)
 *          --query-stats (counts the app's SQL statements per message, by text)
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { openDatabase, type Database } from '../src/db/database.js';
import { migrate } from '../src/db/migrate.js';
import { benchDatabase, freePort } from './support.js';
import { startCluster, type InstanceProcess } from '../tests/helpers/cluster.js';
import { createWorld, seen, setupWorld, type World } from '../tests/helpers/world.js';
import { percentile, runArrivals, type Arrival } from './pipeline/load.js';
import { backlog, jobHops, prepareChatCustomers, waitUntil } from './pipeline/prepare.js';
import { summariseProfiles } from './pipeline/profile.js';

const opt = (name: string, def: string): string => process.argv.find((x) => x.startsWith(`--${name}=`))?.split('=')[1] ?? def;
const num = (name: string, def: number): number => Number(opt(name, String(def)));



const ms = (n: number) => (Number.isFinite(n) ? `${n.toFixed(0)} ms` : 'n/a');
const line = (k: string, v: string) => console.log(`  ${k.padEnd(40)} ${v}`);

/** When HubSpot stored each load message's communication, by the arrival's token (B<run>x<i>) in its text. */
function timelineByToken(s: ReturnType<typeof seen>): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const [token, at] of s.communicationTokens(/B[0-9a-f]{6}x\d+/g)) out.set(token, [...(out.get(token) ?? []), at]);
  return out;
}

/** New customers the drain left without the bot's answer at Meta: what their reply's row says. */
async function explainUnanswered(db: Database, waIds: string[]): Promise<void> {
  if (!waIds.length) return;
  const r = await db.query<{ wa_id: string; status: string | null; dispatch_pending: boolean | null; reason: string | null; attempts: string | null }>(
    `SELECT c.wa_id, m.status, m.dispatch_pending, m.error->>'reason' AS reason, m.payload->>'attempts' AS attempts
       FROM contacts c LEFT JOIN messages m ON m.contact_id = c.id AND m.direction = 'out'
      WHERE c.wa_id = ANY($1::text[]) ORDER BY c.wa_id LIMIT 10`,
    [waIds],
  );
  console.log(`unanswered new customers: ${waIds.length}; their replies:`);
  for (const x of r.rows) console.log(`    ${x.wa_id}: ${x.status ?? 'no reply stored'}${x.reason ? ` (${x.reason})` : ''}, dispatch_pending ${x.dispatch_pending}, attempts ${x.attempts}`);
}

async function main(): Promise<void> {
  const rate = num('rate', 80);
  const seconds = num('seconds', 20);
  const mode = opt('mode', 'new') as 'new' | 'chat' | 'mixed';
  const workers = opt('workers', 'inline') as 'inline' | 'separate';
  const instances = num('instances', 1);
  const tier = num('tier', 80);
  const drainS = num('drain', 45);
  const queryStats = process.argv.includes('--query-stats');
  const profDir = process.argv.includes('--cpu-prof') ? path.resolve('.bench-prof', String(Date.now())) : undefined;
  if (!['new', 'chat', 'mixed'].includes(mode) || !['inline', 'separate'].includes(workers) || ![1, 3].includes(instances)) {
    throw new Error('usage: --mode=new|chat|mixed --workers=inline|separate --instances=1|3');
  }
  if (!process.env.DATABASE_URL && (instances !== 1 || workers !== 'inline')) {
    console.log('note: no DATABASE_URL — PGlite is one session shared over a socket; multi-process figures are not representative');
  }
  if (profDir) mkdirSync(profDir, { recursive: true });
  const runId = randomBytes(3).toString('hex');
  const db = await benchDatabase('bench_pl');
  let dbc: Database | undefined;
  let world: World | undefined;
  let cluster: InstanceProcess[] = [];
  try {
    dbc = await openDatabase({ databaseUrl: db.url, poolMax: 2 });
    await migrate(dbc);
    const port = await freePort();
    world = await createWorld({ appUrl: `http://127.0.0.1:${port}`, throughputMps: tier, logLevel: 'error' });
    const t0 = Date.now();
    cluster = await startCluster({
      databaseUrl: db.url,
      env: { ...world.env, DB_POOL_MAX: opt('pool', '10') },
      web: instances,
      workers: workers === 'separate' ? instances : 0,
      inlineWorkers: workers === 'inline',
      firstPort: port,
      nodeFlags: [
        ...(profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : []),
        ...(queryStats ? ['--require', path.resolve('bench/pipeline/query-stats.cjs')] : []),
      ],
    });
    console.log(`bench:pipeline — ${db.describe}; ${instances} instance(s), workers ${workers}; started in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    await setupWorld(world);
    const urls = cluster.filter((c) => c.url).map((c) => c.url!);
    const chatCustomers = mode === 'new' ? [] : await prepareChatCustomers(world, dbc, urls, num('chat-customers', 150), runId);
    await waitUntil(async () => (await backlog(dbc!)).total === 0, 60_000);
    world.hubspot.resetCounters();
    const metaBefore = world.meta.requests.length;

    console.log(`load: ${rate} msg/s for ${seconds} s, mode ${mode}, number tier ${tier} msg/s; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    const statsBefore = queryStats ? await statementCounts(cluster) : undefined;
    const loadStart = Date.now();
    const arrivals = await runArrivals({ world, urls, rate, seconds, mode, runId, chatCustomers, firstNewWaId: 1_000_000 + Math.floor(Math.random() * 8_000_000) });
    const loadEnd = Date.now();
    const atEnd = await backlog(dbc);
    const routedInWindow = await dbc.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM messages WHERE direction = 'in' AND wamid LIKE $1 AND conversation_id IS NOT NULL`,
      [`wamid.bench.${runId}.%`],
    );
    const atLoadEnd = seen(world);
    const repliedInWindow = arrivals.filter((a) => a.kind === 'new' && (atLoadEnd.sendsTo.get(a.waId)?.length ?? 0) > 0).length;
    const loadAvgEnd = loadavg();

    // Drain: until every new customer has the bot's answer and every message is on the timeline.
    // Polled every 250 ms in the process that hosts the simulators: it must stay cheap, or the
    // simulators' clocks stall with it (a scan per arrival once blocked this loop for seconds).
    const done = () => {
      const s = seen(world!);
      const logged = timelineByToken(s);
      return arrivals.every((a) => (a.kind === 'chat' || (s.sendsTo.get(a.waId)?.length ?? 0) > 0) && logged.has(a.token));
    };
    const drained = await waitUntil(async () => done(), drainS * 1000, 250);
    const drainedAt = Date.now();
    const after = await backlog(dbc);
    const routedFinal = await dbc.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM messages WHERE direction = 'in' AND wamid LIKE $1 AND conversation_id IS NOT NULL`,
      [`wamid.bench.${runId}.%`],
    );
    const hops = await jobHops(dbc, new Date(loadStart));
    const afterDrain = seen(world);
    await explainUnanswered(dbc, arrivals.filter((a) => a.kind === 'new' && !(afterDrain.sendsTo.get(a.waId)?.length ?? 0)).map((a) => a.waId));
    if (statsBefore) printStatements(statsBefore, await statementCounts(cluster), arrivals.length);
    report({ hops, routedFinal: routedFinal.rows[0]!.n, world, arrivals, loadStart, loadEnd, drainedAt, drained, atEnd, after, routed: routedInWindow.rows[0]!.n, repliedInWindow, metaBefore, rate, tier, mode, loadAvgEnd });
  } finally {
    await Promise.all(cluster.map((c) => c.kill('SIGTERM')));
    await world?.close();
    await dbc?.close();
    await db.close();
  }
  if (profDir) summariseProfiles(profDir);
}

/** Statements sent so far by every app process (bench/pipeline/query-stats.cjs), summed by text. */
async function statementCounts(cluster: InstanceProcess[]): Promise<Map<string, number>> {
  const total = new Map<string, number>();
  await Promise.all(
    cluster.map(
      (c) =>
        new Promise<void>((resolve) => {
          const onMessage = (m: { type?: string; counts?: [string, number][] }) => {
            if (m?.type !== 'query-stats') return;
            c.child.off('message', onMessage);
            for (const [k, n] of m.counts ?? []) total.set(k, (total.get(k) ?? 0) + n);
            resolve();
          };
          c.child.on('message', onMessage);
          c.child.send({ type: 'query-stats' });
        }),
    ),
  );
  return total;
}

function printStatements(before: Map<string, number>, after: Map<string, number>, messages: number): void {
  const delta = [...after].map(([k, n]) => [k, n - (before.get(k) ?? 0)] as const).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]);
  const sum = delta.reduce((s, [, n]) => s + n, 0);
  console.log(`\nstatements sent to PostgreSQL during the load and drain: ${sum} = ${(sum / messages).toFixed(1)} per message`);
  for (const [k, n] of delta.slice(0, Number(process.env.BENCH_TOP_STATEMENTS ?? 15))) console.log(`  ${(n / messages).toFixed(2).padStart(6)}  ${k.slice(0, 96)}`);
}

function report(r: {
  world: World; arrivals: Arrival[]; loadStart: number; loadEnd: number; drainedAt: number; drained: boolean;
  atEnd: Awaited<ReturnType<typeof backlog>>; after: Awaited<ReturnType<typeof backlog>>; routed: number; routedFinal: number; repliedInWindow: number;
  hops: Awaited<ReturnType<typeof jobHops>>; metaBefore: number; rate: number; tier: number; mode: string; loadAvgEnd: number[];
}): void {
  const s = seen(r.world);
  const secs = (r.loadEnd - r.loadStart) / 1000;
  const acked = r.arrivals.filter((a) => a.status === 200);
  const news = r.arrivals.filter((a) => a.kind === 'new');
  const replyLat = news.map((a) => (s.sendsTo.get(a.waId)?.[0]?.at ?? NaN) - a.postedAt).filter(Number.isFinite);
  const logged = timelineByToken(s);
  const timelineLat = r.arrivals.map((a) => Math.min(...(logged.get(a.token) ?? [])) - a.postedAt).filter(Number.isFinite);
  const ackLat = acked.map((a) => a.ackMs!);
  const replyP99 = percentile(replyLat, 99);
  const lost = acked.length - r.routedFinal;
  const metaCalls = r.world.meta.requests.slice(r.metaBefore).filter((q) => q.method === 'POST' && q.path.endsWith('/messages')).length;
  console.log(`\nresults (${r.arrivals.length} messages offered over ${secs.toFixed(1)} s; load average at the end ${r.loadAvgEnd.map((l) => l.toFixed(2)).join(' ')})`);
  const refused = new Map<string, number>();
  for (const a of r.arrivals) if (a.status !== 200) refused.set(String(a.status ?? 'none'), (refused.get(String(a.status ?? 'none')) ?? 0) + 1);
  const why = [...refused].map(([st, n]) => `${n} × ${st === '0' ? 'no answer (connection error)' : `HTTP ${st}`}`).join(', ');
  line('webhooks acknowledged (200)', `${acked.length} / ${r.arrivals.length}   p50 ${ms(percentile(ackLat, 50))}, p99 ${ms(percentile(ackLat, 99))}${why ? `   not acked: ${why}` : ''}`);
  line('sustained: routed during the load', `${(r.routed / secs).toFixed(1)} msg/s   (offered ${(r.arrivals.length / secs).toFixed(1)})`);
  if (news.length) {
    line('sustained: bot replies during the load', `${(r.repliedInWindow / secs).toFixed(1)} flows/s   (new customers offered ${(news.length / secs).toFixed(1)}/s)`);
    line('webhook → bot reply at Meta', `p50 ${ms(percentile(replyLat, 50))}, p99 ${ms(replyP99)}   (${replyLat.length} of ${news.length} answered)`);
  }
  line('webhook → HubSpot timeline', `p50 ${ms(percentile(timelineLat, 50))}, p99 ${ms(percentile(timelineLat, 99))}   (${timelineLat.length} of ${r.arrivals.length} logged${r.drained ? '' : ', drain timed out'})`);
  line('HubSpot calls per message', `${(s.hubspotCalls / r.arrivals.length).toFixed(3)}   (${s.hubspotCalls} calls, ${s.hubspot429} × 429)`);
  line('Meta send calls / refused', `${metaCalls} / ${s.metaRefused}   (max ${Math.max(0, ...s.sendCallsPerSecond.values())} in one second, tier ${r.tier})`);
  line('backlog at the end of the load', `${r.atEnd.total} items (${r.atEnd.detail}), ${r.atEnd.pendingEvents} webhook events unprocessed`);
  line('backlog after the drain', `${r.after.total} items, ${r.after.pendingEvents} events; drain took ${((r.drainedAt - r.loadEnd) / 1000).toFixed(1)} s`);
  line('lost (acked, not routed after the drain)', `${Math.max(0, lost)}`);
  console.log('\njob hops (completed jobs created during the load and drain)');
  for (const h of r.hops) {
    line(`  ${h.name}`, `${(h.n / r.arrivals.length).toFixed(2)}/msg   wait p50 ${ms(h.waitP50)} p99 ${ms(h.waitP99)}   run p50 ${ms(h.runP50)} p99 ${ms(h.runP99)}`);
  }
  console.log('\ngoals (one instance, this 2-core machine)');
  if (r.mode === 'new' && r.tier <= 80) {
    const ok = replyP99 < 1000 && r.atEnd.total < r.rate;
    line(`new customers at ${r.rate}/s, tier 80: p99 < 1 s, no backlog`, `${ok ? 'OK' : 'MISSED'} (p99 ${ms(replyP99)}, backlog ${r.atEnd.total})`);
  }
  if (r.mode === 'new' && r.tier >= 1000) {
    const flows = r.repliedInWindow / secs;
    line('tier 1000: ≥ 250 new-customer flows/s', `${flows >= 250 ? 'OK' : 'MISSED'} (${flows.toFixed(1)}/s at ${r.rate}/s offered)`);
  }
  line('zero lost', `${lost <= 0 && acked.length === r.arrivals.length ? 'OK' : 'CHECK'}`);
  line('webhook ack path ≥ 40% of bare Express', 'see npm run bench:webhook (same-run comparison)');
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
