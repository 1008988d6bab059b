// A campaign whose process is killed with SIGKILL mid-way (issue 14): app instances are child
// processes (src/main.ts) on one PostgreSQL — the server when DATABASE_URL is set, else this process's
// embedded PGlite over its socket. The instance running the campaign dies with sends waiting for their
// throughput slot and claims in hand; another instance takes the campaign over and finishes it. Every
// recipient gets the message exactly once (counted at the Meta simulator), nothing is left pending.
import type { Database } from '../../src/db/database.js';
import { ExtensionClient } from '../../simulators/demo/extension.js';
import { DEMO_PORTAL } from '../../simulators/demo/fixtures.js';
import { freePort, startInstance, type InstanceProcess } from '../helpers/cluster.js';
import { testDatabase } from '../helpers/db.js';
import { waitFor } from '../helpers/wait.js';
import { createWorld, NUMBER, setupWorld, type World } from '../helpers/world.js';

const RECIPIENTS = 400;
const RATE = 10; // the number's messages/s (at Meta and in the app)
const TEMPLATE = 'appointment_reminder';
const waIdOf = (i: number) => `57316${String(5_000_000 + i).padStart(7, '0')}`;


describe('a campaign whose instance is killed with SIGKILL mid-way', () => {
  let db: Database;
  let world: World;
  let first: InstanceProcess | undefined;
  let second: InstanceProcess | undefined;

  beforeAll(async () => {
    db = await testDatabase();
    const port = await freePort();
    world = await createWorld({ appUrl: `http://127.0.0.1:${port}`, throughputMps: RATE, logLevel: 'error' });
    first = await startInstance({ role: 'web', databaseUrl: db.url, env: { ...world.env, DB_POOL_MAX: '6' }, port });
    await setupWorld(world);
  }, 180_000);

  afterAll(async () => {
    await Promise.all([first?.kill('SIGKILL'), second?.kill('SIGTERM')]);
    await world?.close();
    await db?.close();
  });

  test('another instance finishes it: each recipient gets the message once, nothing left pending', async () => {
    const api = new ExtensionClient(world.hubspot, world.appUrl, DEMO_PORTAL.portalId);
    const admin = DEMO_PORTAL.admin.userId;
    await api.expect('PATCH number', [200], { userId: admin, method: 'PATCH', path: `/api/v1/whatsapp-numbers/${NUMBER.phoneNumberId}`, body: { messagesPerSecond: RATE } });
    const waIds = Array.from({ length: RECIPIENTS }, (_, i) => waIdOf(i));
    const created = await api.expect('POST campaign', [201], {
      userId: admin,
      method: 'POST',
      path: '/api/v1/campaigns',
      body: {
        name: 'Recordatorios',
        phoneNumberId: NUMBER.phoneNumberId,
        templateName: TEMPLATE,
        language: 'es',
        optInAttested: true,
        recipients: waIds.map((w, i) => ({ phone: `+${w}`, parameters: ['Ana', 'martes 18', `${10 + (i % 8)}:00`] })),
      },
    });
    const id = created.body.campaign.id as number;
    const sent = () => [...world.meta.state.messages.values()].filter((m) => m.template?.name === TEMPLATE);
    await waitFor(() => sent().length >= 30, 'the first instance to be sending', 60_000);

    // A second instance comes up while the first one sends (and could take any job).
    second = await startInstance({ role: 'web', databaseUrl: db.url, env: { ...world.env, DB_POOL_MAX: '6' } });
    const before = await db.query<{ status: string; runner_id: string | null }>(`SELECT status, runner_id FROM campaigns WHERE id = $1`, [id]);
    expect(before.rows[0]).toMatchObject({ status: 'running' });
    const firstRunner = before.rows[0]!.runner_id;
    const waiting = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM campaign_recipients WHERE campaign_id = $1 AND state IN ('pending', 'claimed')`,
      [id],
    );
    expect(waiting.rows[0]!.n).toBeGreaterThan(RECIPIENTS / 4); // mid-way: most of it still to send

    // Meta's webhooks now reach the survivor (a load balancer would stop routing to the dead one).
    world.meta.setWebhookUrl(`${second.url}/webhooks/whatsapp`);
    // The kill lands where no send is between its dispatch claim and Meta: a send cut off there is
    // never resent (at most once at Meta, docs/whatsapp.md "Interrupted sends"; another test). The
    // messages table is locked, so no new claim commits; once the sends already claimed are at Meta,
    // kill. (A send waiting to retry after a refusal needs the database: then let go and try again.)
    const atMeta = () => new Set(sent().map((m) => m.bizOpaqueCallbackData));
    for (let tries = 0; first!.child.signalCode === null; tries++) {
      if (tries >= 20) throw new Error('no moment with sends stored but none between its claim and Meta');
      const lock = await db.pool.connect();
      try {
        await lock.query('BEGIN');
        await lock.query('LOCK TABLE messages IN EXCLUSIVE MODE');
        const claimed = (
          await lock.query<{ id: number }>(`SELECT id FROM messages WHERE client_key LIKE $1 AND status = 'accepted' AND NOT dispatch_pending AND wamid IS NULL`, [`campaign:${id}:%`])
        ).rows;
        // …and some are stored but not yet sent (waiting for their slot): the survivor must send those.
        const stored = await lock.query(`SELECT 1 FROM messages WHERE client_key LIKE $1 AND dispatch_pending AND wamid IS NULL LIMIT 1`, [`campaign:${id}:%`]);
        const calm = await waitFor(() => claimed.every((m) => atMeta().has(`m:${m.id}`)), { timeoutMs: 2_000, what: 'claimed sends to reach Meta', stepMs: 5 }).then(() => true, () => false);
        if (calm && stored.rowCount) await first!.kill('SIGKILL');
      } finally {
        await lock.query('ROLLBACK').catch(() => undefined);
        lock.release();
      }
      if (first!.child.signalCode === null) await new Promise((r) => setTimeout(r, 300));
    }
    expect(first!.child.signalCode).toBe('SIGKILL');
    const atKill = sent().length;
    const killedAt = new Date();
    expect(atKill).toBeLessThan(RECIPIENTS);

    await waitFor(
      async () => (await db.query(`SELECT 1 FROM campaigns WHERE id = $1 AND status = 'completed'`, [id])).rowCount === 1,
      'the second instance to finish the campaign',
      180_000,
    );
    // Messages the dead instance had stored but not sent are resumed by the sender's reconciler (every 30 s);
    // those it sent without storing Meta's answer are named by their status webhook.
    await waitFor(
      async () =>
        (await db.query(`SELECT 1 FROM campaign_recipients r JOIN messages m ON m.id = r.message_id WHERE r.campaign_id = $1 AND m.wamid IS NULL LIMIT 1`, [id])).rowCount === 0,
      'every message accepted by Meta',
      150_000,
    );

    // Exactly once per recipient, at Meta.
    const per = new Map<string, number>();
    for (const m of sent()) per.set(m.waId, (per.get(m.waId) ?? 0) + 1);
    expect(waIds.filter((w) => per.get(w) !== 1)).toEqual([]);
    expect(per.size).toBe(RECIPIENTS);
    expect(sent().length - atKill).toBeGreaterThan(0);
    // Nothing pending: every recipient sent, with the message Meta accepted (its wamid) on record.
    const rows = await db.query<{ state: string; wamid: string | null; claimed_by: string | null }>(
      `SELECT r.state, m.wamid, r.claimed_by FROM campaign_recipients r LEFT JOIN messages m ON m.id = r.message_id WHERE r.campaign_id = $1`,
      [id],
    );
    expect(rows.rows.filter((r) => r.state !== 'sent' || !r.wamid)).toEqual([]);
    // The survivor did take it over (another runner claimed what was left).
    // The kill left messages stored but not sent (waiting for their throughput slot): the survivor sent those rows.
    const resumed = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM campaign_recipients r JOIN messages m ON m.id = r.message_id
        WHERE r.campaign_id = $1 AND m.sent_at < $2 AND m.dispatched_at > $2`,
      [id, killedAt],
    );
    expect(resumed.rows[0]!.n).toBeGreaterThan(0);
    const runners = new Set(rows.rows.map((r) => r.claimed_by));
    expect(runners.size).toBeGreaterThan(1);
    expect(runners.has(firstRunner)).toBe(true);
  }, 400_000);
});
