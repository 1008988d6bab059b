// Three app instances (child processes through src/main.ts, job workers inline) on one PostgreSQL —
// the server when DATABASE_URL is set, else this process's embedded PGlite shared over its socket —
// under load from new customers; one instance is SIGKILLed mid-way and the survivors finish its work.
import { existsSync } from 'node:fs';
import { waitFor } from '../helpers/wait.js';
import type { Database } from '../../src/db/database.js';
import { freePort, startCluster, type InstanceProcess } from '../helpers/cluster.js';
import { testDatabase } from '../helpers/db.js';
import { createWorld, customerWrites, postWebhook, seen, setupWorld, type World } from '../helpers/world.js';

const CUSTOMERS = 36;
const ARRIVALS_PER_SECOND = 12;
const NUMBER_RATE = 10; // the number's messages/s at Meta (and in every instance's limiter)
const src = (p: string) => existsSync(new URL(`../../src/${p}`, import.meta.url));
// A killed instance's running jobs come back within seconds only with the job heartbeat (hardening
// branch); without it they wait for their expiry (300 s), far beyond a CI test.
const FAST_RECOVERY = src('jobs/heartbeat.ts');
// One number's rate across instances needs the limiter shared in PostgreSQL (campaigns branch).
const SHARED_LIMITS = src('limits/index.ts');



/** POSTs like Meta does: until a 200, retrying on another live instance after a refusal or a dead connection. */
async function deliver(live: () => InstanceProcess[], turn: number, hook: { body: Buffer; signature: string }): Promise<void> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const targets = live();
    const status = await postWebhook(targets[(turn + attempt) % targets.length]!.url!, hook);
    if (status === 200) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('webhook never acknowledged');
}

/**
 * SIGKILLs `victim` at a moment when no send is between its dispatch claim and Meta. A send cut off
 * there is in doubt by design — never resent (at most once at Meta), failed as SEND_UNCONFIRMED after
 * 10 min (docs/whatsapp.md "Interrupted sends", tests/whatsapp/interrupted-send) — so a kill landing
 * there leaves its customer unanswered, which this test does not ask about. The messages table is
 * locked (no new claim commits); once the sends already claimed are at Meta, kill.
 */
async function killBetweenSends(db: Database, victim: InstanceProcess, world: World): Promise<void> {
  const atMeta = () => new Set([...world.meta.state.messages.values()].map((m) => m.bizOpaqueCallbackData));
  for (let tries = 0; victim.child.signalCode === null; tries++) {
    if (tries >= 20) throw new Error('no moment without a send between its claim and Meta');
    const lock = await db.pool.connect();
    try {
      await lock.query('BEGIN');
      await lock.query('LOCK TABLE messages IN EXCLUSIVE MODE');
      const claimed = (
        await lock.query<{ id: number }>(`SELECT id FROM messages WHERE direction = 'out' AND status = 'accepted' AND NOT dispatch_pending AND wamid IS NULL`)
      ).rows;
      const calm = await waitFor(() => claimed.every((m) => atMeta().has(`m:${m.id}`)), { timeoutMs: 2_000, what: 'claimed sends to reach Meta', stepMs: 5 }).then(
        () => true,
        () => false,
      );
      if (calm) await victim.kill('SIGKILL');
    } finally {
      await lock.query('ROLLBACK').catch(() => undefined);
      lock.release();
    }
    if (victim.child.signalCode === null) await new Promise((r) => setTimeout(r, 300));
  }
}

/** On a timeout, what the unanswered customers' rows and the queues hold (CI shows only the output). */
async function explainUnanswered(db: Database, waIds: string[], cluster: InstanceProcess[]): Promise<void> {
  const q = async (sql: string, params: unknown[] = []) => JSON.stringify((await db.query(sql, params)).rows);
  console.error(
    [
      `unanswered: ${waIds.join(', ')}`,
      `their messages: ${await q(
        `SELECT m.id, m.direction, m.status, m.sender, m.wamid, m.client_key, m.dispatch_pending, m.dispatched_at, m.created_at FROM messages m JOIN contacts c ON c.id = m.contact_id WHERE c.wa_id = ANY($1) ORDER BY m.id`,
        [waIds],
      )}`,
      `open webhook events: ${await q(`SELECT id, state, received_at FROM webhook_events WHERE state <> 'processed' ORDER BY id LIMIT 20`)}`,
      `jobs not done: ${await q(
        `SELECT name, state, count(*)::int AS n, min(created_on) AS oldest, min(start_after) AS next_start, max(retry_count) AS retries FROM pgboss.job WHERE state <> 'completed' GROUP BY 1, 2 ORDER BY 1, 2`,
      )}`,
      `failed job output: ${await q(`SELECT name, output FROM pgboss.job WHERE state IN ('failed', 'retry') ORDER BY created_on DESC LIMIT 5`)}`,
      `instances' stderr: ${cluster.map((c) => c.stderr.slice(-10).join(' | ')).join(' || ')}`,
    ].join('\n'),
  );
}

describe('three instances on one database', () => {
  let db: Database;
  let world: World;
  let cluster: InstanceProcess[] = [];
  const waIds = Array.from({ length: CUSTOMERS }, (_, i) => `57315${String(4_000_000 + i).padStart(7, '0')}`);

  beforeAll(async () => {
    db = await testDatabase();
    const port = await freePort();
    world = await createWorld({ appUrl: `http://127.0.0.1:${port}`, throughputMps: NUMBER_RATE, logLevel: 'error' });
    cluster = await startCluster({ databaseUrl: db.url, env: { ...world.env, DB_POOL_MAX: '6' }, web: 3, workers: 0, inlineWorkers: true, firstPort: port });
    await setupWorld(world);
    world.hubspot.resetCounters();
  }, 150_000);

  afterAll(async () => {
    await Promise.all(cluster.map((c) => c.kill('SIGTERM')));
    await world?.close();
    await db?.close();
  });

  // The SIGKILL needs src/jobs/heartbeat.ts (hardening branch): it happens once that is merged;
  // until then the three instances run the same load without the kill.
  const title = FAST_RECOVERY ? 'one killed with SIGKILL mid-way' : 'none killed (needs src/jobs/heartbeat.ts, hardening branch)';
  test(`under load, ${title}: every message handled once, nothing sent or logged twice, round-robin fair`, async () => {
    const victim = cluster[2]!;
    const live = () => cluster.filter((c) => c !== victim || victim.child.exitCode === null && victim.child.signalCode === null);
    const started = Date.now();
    const sends: Promise<void>[] = [];
    for (const [i, waId] of waIds.entries()) {
      if (FAST_RECOVERY && i === CUSTOMERS / 2) await killBetweenSends(db, victim, world); // mid-way, with its jobs in flight
      sends.push(deliver(live, i, customerWrites(world, { waId, wamid: `wamid.scale.hi.${i}`, text: `Hola, soy el cliente ${i}` })));
      await new Promise((r) => setTimeout(r, 1000 / ARRIVALS_PER_SECOND));
    }
    await Promise.all(sends);
    if (FAST_RECOVERY) expect(victim.child.signalCode).toBe('SIGKILL');

    // Every acknowledged message: one consent prompt to its customer.
    await waitFor(() => waIds.every((w) => (seen(world).sendsTo.get(w)?.length ?? 0) >= 1), 'the consent bot to answer every customer', 120_000).catch(
      async (err) => {
        await explainUnanswered(db, waIds.filter((w) => !seen(world).sendsTo.get(w)?.length), cluster);
        throw err;
      },
    );
    for (const [i, waId] of waIds.entries()) {
      sends.push(deliver(live, i, customerWrites(world, { waId, wamid: `wamid.scale.yes.${i}`, text: 'acepto' })));
    }
    await Promise.all(sends);
    const assigned = async () =>
      (
        await db.query<{ agent: number; n: number }>(
          `SELECT cv.assignee_agent_id AS agent, count(*)::int AS n FROM conversations cv JOIN contacts c ON c.id = cv.contact_id
            WHERE c.wa_id = ANY($1) AND cv.assignee_agent_id IS NOT NULL GROUP BY 1`,
          [waIds],
        )
      ).rows;
    await waitFor(async () => (await assigned()).reduce((s, r) => s + r.n, 0) === CUSTOMERS, 'every customer routed to an agent', 90_000);
    // Both messages of every customer on the HubSpot timeline, and every job done.
    const inbound = await db.query<{ id: number }>(`SELECT id FROM messages WHERE direction = 'in' AND wamid LIKE 'wamid.scale.%'`);
    await waitFor(() => inbound.rows.every((m) => seen(world).communicationsByRef.has(`wa-msg-${m.id}`)), 'every inbound message on the timeline', 90_000);
    await waitFor(async () => (await db.query(`SELECT 1 FROM pgboss.job WHERE state IN ('created', 'retry', 'active') LIMIT 1`)).rowCount === 0, 'no job left', 60_000);

    // Processed exactly once: one stored message per wamid, one conversation per customer.
    expect(inbound.rows).toHaveLength(CUSTOMERS * 2);
    const convs = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM conversations cv JOIN contacts c ON c.id = cv.contact_id WHERE c.wa_id = ANY($1) GROUP BY cv.contact_id`,
      [waIds],
    );
    expect(convs.rows.map((r) => r.n)).toEqual(Array(CUSTOMERS).fill(1));
    // No message twice to a customer: each text at most once per recipient.
    const s = seen(world);
    for (const waId of waIds) {
      const texts = (s.sendsTo.get(waId) ?? []).map((m) => m.text);
      expect(texts.length).toBeGreaterThanOrEqual(1);
      expect(new Set(texts).size).toBe(texts.length);
    }
    // No communication twice in HubSpot, and HubSpot never had to refuse a call.
    const dupes = [...s.communicationsByRef.entries()].filter(([, at]) => at.length > 1).map(([ref]) => ref);
    expect(dupes).toEqual([]);
    expect(s.hubspot429).toBe(0);
    // Round-robin stays fair over the three agents, whichever instance routed.
    const counts = (await assigned()).map((r) => r.n);
    expect(counts).toHaveLength(3);
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
    expect(Date.now() - started).toBeLessThan(240_000);
  }, 300_000);

  // needs src/limits (campaigns branch): each instance paces the number alone until then.
  (SHARED_LIMITS ? test : test.skip)('no second in which the number sent more than its rate, across instances', () => {
    const perSecond = [...seen(world).sendCallsPerSecond.values()];
    expect(perSecond.length).toBeGreaterThan(0);
    expect(Math.max(...perSecond)).toBeLessThanOrEqual(NUMBER_RATE);
    expect(seen(world).metaRefused).toBe(0);
  });
});
