/**
 * `npm run bench:hubspot` — 5,000 inbound WhatsApp messages from 500 new customers logged to HubSpot
 * (the simulator, with HubSpot's per-portal limits: 110 requests / 10 s, 5 searches / s).
 *
 * The backlog is stored first (messages + their `message.inbound` events, as the WhatsApp domain
 * leaves them), then a runtime with job workers starts and the clock runs until every message is
 * on the timeline. Prints HubSpot calls by kind, calls per message, 429s received, and the drain
 * time next to the floor HubSpot's limits allow for the calls made.
 *
 * PostgreSQL: DATABASE_URL when set (a fresh database is created and dropped), else the embedded one.
 * Options: --messages=N (default 5000) --customers=N (default 500) --linger=ms (default 1000)
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../src/config.js';
import { openDatabase, type Database } from '../src/db/database.js';
import { createScratchDatabase } from '../src/db/scratch-database.js';
import { loadAppManifest } from '../src/hubspot/manifest.js';
import { TIMELINE_WAKE_QUEUE } from '../src/hubspot/timeline.js';
import { createRuntime } from '../src/server.js';
import { createHubSpotSimulator } from '../simulators/hubspot/index.js';

const arg = (name: string, def: number): number => {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? Number(a.split('=')[1]) : def;
};

const MESSAGES = arg('messages', 5000);
const CUSTOMERS = arg('customers', 500);
const LINGER = arg('linger', 1000);
const PUBLIC = 'https://bench.example.test';
const CLIENT_ID = 'bench-client-id';
const CLIENT_SECRET = 'bench-client-secret';
const SEARCH_KINDS = ['contacts.search', 'communications.search', 'tasks.search'];

async function benchDatabase(): Promise<{ db: Database; drop: () => Promise<void>; describe: string }> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const db = await openDatabase({});
    return { db, drop: async () => db.close(), describe: 'embedded PostgreSQL (PGlite, in memory)' };
  }
  const scratch = await createScratchDatabase(serverUrl, { prefix: 'bench_hs' });
  const db = await openDatabase({ databaseUrl: scratch.url, poolMax: 10 });
  return {
    db,
    describe: `PostgreSQL at ${new URL(scratch.url).host}`,
    drop: async () => {
      await db.close();
      await scratch.drop();
    },
  };
}

function shuffle<T>(a: T[]): T[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

async function main(): Promise<void> {
  const sim = createHubSpotSimulator({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUris: [`${PUBLIC}/oauth/callback`],
    requiredScopes: loadAppManifest().requiredScopes,
  });
  const simServer = await sim.listen();
  const portal = sim.createPortal({
    portalId: 4_240_001,
    domain: 'bench-shop.example.com',
    users: [{ userId: 77, email: 'admin@bench-shop.example.com', firstName: 'Ada', lastName: 'Admin' }],
  });
  const { db, drop, describe } = await benchDatabase();
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    DATA_DIR: mkdtempSync(path.join(tmpdir(), 'bench-hs-')),
    PUBLIC_BASE_URL: PUBLIC,
    HUBSPOT_CLIENT_ID: CLIENT_ID,
    HUBSPOT_CLIENT_SECRET: CLIENT_SECRET,
    HUBSPOT_API_BASE_URL: simServer.url,
    HUBSPOT_AUTH_BASE_URL: simServer.url,
    WHATSAPP_APP_SECRET: 'bench',
    WHATSAPP_VERIFY_TOKEN: 'bench',
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  });
  const domains = { hubspot: { lingerMs: LINGER }, whatsapp: false, conversations: false } as const;

  try {
    // ---- 1. install through the real OAuth flow (no workers yet) ----
    const setup = await createRuntime(config, { db, domains, work: false });
    const { url } = await setup.listen(0, '127.0.0.1');
    const start = await fetch(`${url}/oauth/install`, { redirect: 'manual' });
    sim.approveInstall({ portalId: portal.portalId, userId: 77 });
    const html = await (await fetch(start.headers.get('location')!)).text();
    const fields: Record<string, string> = {};
    for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) fields[m[1]!] = m[2]!.replace(/&amp;/g, '&');
    const approved = await fetch(`${simServer.url}/oauth/authorize`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...fields, decision: 'approve' }).toString(),
    });
    const back = new URL(approved.headers.get('location')!);
    const cb = await fetch(`${url}${back.pathname}${back.search}`, { redirect: 'manual' });
    if (cb.status !== 302) throw new Error(`install failed: ${cb.status} ${await cb.text()}`);

    // ---- 2. the backlog: 500 new customers, 5,000 messages interleaved, their events queued ----
    const waIds = new Set<string>();
    while (waIds.size < CUSTOMERS) waIds.add(`57300${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`);
    const wa = [...waIds];
    const contacts = await db.query<{ id: number; wa_id: string }>(
      `INSERT INTO contacts (portal_id, wa_id, phone_e164, profile_name)
       SELECT $1, w, '+' || w, 'Cliente ' || ord FROM unnest($2::text[]) WITH ORDINALITY AS t(w, ord) RETURNING id, wa_id`,
      [portal.portalId, wa],
    );
    const ids = contacts.rows.map((r) => Number(r.id));
    const order = shuffle(Array.from({ length: MESSAGES }, (_, i) => ids[i % ids.length]!));
    const t0ms = Date.UTC(2026, 3, 1, 9, 0, 0);
    await db.query(
      `INSERT INTO messages (portal_id, contact_id, phone_number_id, wamid, direction, type, text, status, sender, sent_at)
       SELECT $1, c, 'PN-BENCH', 'wamid.bench.' || ord, 'in', 'text', 'Hola, ¿tienen stock? #' || ord, 'received', 'customer',
              to_timestamp(($3::bigint + ord * 700) / 1000.0)
         FROM unnest($2::bigint[]) WITH ORDINALITY AS t(c, ord)`,
      [portal.portalId, order, t0ms],
    );
    // The messages' wake-up (one per portal: the drain finds every message of it).
    await setup.ctx.jobs.boss.insert(TIMELINE_WAKE_QUEUE, [{ data: { portalId: portal.portalId } }] as any);
    await setup.close();
    sim.resetCounters();

    // ---- 3. the drain ----
    const startedAt = performance.now();
    const rt = await createRuntime(config, { db, domains, work: true });
    const workersAt = performance.now();
    let loggedAt = 0;
    let doneAt = 0;
    const deadline = Date.now() + 15 * 60_000;
    for (;;) {
      const r = await db.query<{ logged: number; props: number }>(
        `SELECT (SELECT count(*)::int FROM messages WHERE portal_id = $1 AND hubspot_communication_id IS NOT NULL) AS logged,
                (SELECT count(*)::int FROM hubspot_property_outbox WHERE portal_id = $1) AS props`,
        [portal.portalId],
      );
      const { logged, props } = r.rows[0]!;
      if (!loggedAt && logged >= MESSAGES) loggedAt = performance.now();
      if (loggedAt && props === 0) {
        doneAt = performance.now();
        break;
      }
      if (Date.now() > deadline) throw new Error(`gave up: ${logged} of ${MESSAGES} logged`);
      await new Promise((res) => setTimeout(res, 25));
    }
    await rt.close();

    // ---- 4. figures ----
    const kinds = Object.entries(sim.counters.byKind).sort((a, b) => b[1] - a[1]);
    const api = kinds.filter(([k]) => !k.startsWith('oauth.'));
    const search = api.filter(([k]) => SEARCH_KINDS.includes(k)).reduce((s, [, n]) => s + n, 0);
    const general = api.filter(([k]) => !SEARCH_KINDS.includes(k)).reduce((s, [, n]) => s + n, 0);
    const calls = search + general;
    const floorSec = Math.max(general / 11, search / 5);
    const drainSec = (loggedAt - workersAt) / 1000;
    const allSec = (doneAt - workersAt) / 1000;
    const simContacts = [...portal.contacts.values()].filter((c) => !c.archived).length;
    const simComms = [...portal.communications.values()].filter((c) => !c.archived).length;
    const distinct = (await db.query(`SELECT count(DISTINCT hubspot_communication_id)::int AS n FROM messages WHERE portal_id = $1`, [portal.portalId]))
      .rows[0].n;

    const line = (k: string, v: string | number) => console.log(`  ${k.padEnd(44)} ${v}`);
    console.log(`\nbench:hubspot — ${MESSAGES} inbound messages from ${CUSTOMERS} new customers, one portal (${describe})`);
    console.log('\nHubSpot calls by kind');
    for (const [k, n] of kinds) line(k, n);
    console.log('\nTotals');
    line('HubSpot API calls (excluding OAuth)', `${calls}  (${general} general, ${search} search)`);
    line('calls per message', (calls / MESSAGES).toFixed(4) + '   (goal ≤ 0.1)');
    line('429s received', `${sim.counters.rateLimited}   (goal 0)`);
    line('HubSpot contacts created / communications', `${simContacts} / ${simComms}   (distinct ids on messages: ${distinct})`);
    console.log('\nTime');
    line('runtime start (pg-boss, workers)', `${((workersAt - startedAt) / 1000).toFixed(2)} s`);
    line('drain: all messages on the timeline', `${drainSec.toFixed(2)} s`);
    line('all HubSpot work done (incl. property writes)', `${allSec.toFixed(2)} s`);
    line('floor for these calls at HubSpot limits', `${floorSec.toFixed(2)} s   (max(${general} / 11 per s, ${search} / 5 per s))`);
    line('drain / floor', `${(drainSec / floorSec).toFixed(2)}×   (goal ≤ 1.25×);  all work / floor ${(allSec / floorSec).toFixed(2)}×`);
    const ok = sim.counters.rateLimited === 0 && calls / MESSAGES <= 0.1 && simComms === MESSAGES && distinct === MESSAGES && simContacts === CUSTOMERS;
    console.log(`\n${ok ? 'OK' : 'CHECK'}: ${simComms === MESSAGES ? 'every message logged once' : 'LOGGING MISMATCH'}\n`);
  } finally {
    await drop().catch(() => undefined);
    await simServer.close();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
