import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { upsertWhatsAppContact } from '../../src/contacts/contacts-repo.js';
import type { Database } from '../../src/db/database.js';
import { CONTACT_PROPERTIES } from '../../src/hubspot/index.js';
import type { Portal } from '../../simulators/hubspot/index.js';
import { testDatabase } from '../helpers/db.js';
import type { TestRuntime } from '../helpers/runtime.js';
import { deleteInHubSpot, inbound, inboundMany, install, internals, liveComms, liveContacts, loggedCount, newPortal, startApp, startSimulator, waitFor, type SimHandle } from './helpers.js';

/**
 * A network hop in front of the simulator that can lose an answer: the request reaches HubSpot (and
 * is applied) but the connection drops before the response comes back.
 */
function lossyProxy(target: string) {
  let loseNext: RegExp | null = null;
  let lost = 0;
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'host' && k !== 'content-length') headers[k] = v;
    const upstream = await fetch(target + req.url, { method: req.method, headers, body: chunks.length ? Buffer.concat(chunks) : undefined });
    const body = Buffer.from(await upstream.arrayBuffer());
    if (loseNext && loseNext.test(req.url ?? '')) {
      loseNext = null;
      lost++;
      req.socket.destroy();
      return;
    }
    res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
    res.end(body);
  });
  return {
    listen: () => new Promise<string>((r) => server.listen(0, '127.0.0.1', () => r(`http://127.0.0.1:${(server.address() as AddressInfo).port}`))),
    loseAnswerOf: (re: RegExp) => (loseNext = re),
    lost: () => lost,
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

/** Wake-up jobs queued for a portal's timeline so far (one per message before the wake queue). */
async function wakeJobs(portalId: number): Promise<number> {
  const r = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'hubspot.timeline.wake' AND data->>'portalId' = $1`, [String(portalId)]);
  return r.rows[0]!.n;
}

let h: SimHandle;
let proxy: ReturnType<typeof lossyProxy>;
let db: Database;
let a: TestRuntime;
let b: TestRuntime;

beforeAll(async () => {
  h = await startSimulator();
  proxy = lossyProxy(h.url);
  const url = await proxy.listen();
  db = await testDatabase();
  a = await startApp(url, { db });
  b = await startApp(url, { db });
});
afterAll(async () => {
  await a?.close();
  await b?.close();
  await db?.close();
  await proxy?.close();
  await h?.close();
});

async function connected(): Promise<Portal> {
  const portal = newPortal(h.sim);
  await install(a, h, portal);
  return portal;
}

describe('timeline logging', () => {
  test('inbound and outbound messages become WhatsApp communications on the contact', async () => {
    const portal = await connected();
    const owner = [...portal.owners.values()].find((o) => o.userId === 902)!;
    const agent = await db.query(`INSERT INTO agents (portal_id, owner_id, user_id, name) VALUES ($1, $2, 902, 'Rui Rep') RETURNING id`, [portal.portalId, owner.id]);
    const sentAt = new Date('2026-03-30T15:04:05.000Z');
    const { contactId, messageId } = await inbound(a, { portalId: portal.portalId, waId: '573001230001', profileName: 'Carla <b>Díaz</b>', text: '¿Tienen envío a Medellín?', sentAt });
    const out = await db.query(
      `INSERT INTO messages (portal_id, contact_id, phone_number_id, wamid, direction, type, text, payload, status, sender, agent_id, sent_at)
       VALUES ($1, $2, 'PN1', 'wamid.out1', 'out', 'image', 'Our catalogue', $3, 'accepted', 'agent', $4, $5) RETURNING id`,
      [portal.portalId, contactId, { kind: 'media', mediaType: 'image', link: 'https://cdn.example.com/cat.jpg', caption: 'Our catalogue' }, agent.rows[0].id, new Date(sentAt.getTime() + 60_000)],
    );
    // A failed outbound message and one Meta has not accepted yet are not logged.
    await db.query(
      `INSERT INTO messages (portal_id, contact_id, phone_number_id, wamid, direction, type, text, status, sender, sent_at)
       VALUES ($1, $2, 'PN1', NULL, 'out', 'text', 'pending', 'accepted', 'bot', now()), ($1, $2, 'PN1', 'wamid.f', 'out', 'text', 'failed', 'failed', 'bot', now())`,
      [portal.portalId, contactId],
    );
    await a.ctx.events.emit('message.outbound', { messageId: Number(out.rows[0].id), portalId: portal.portalId });
    await waitFor(async () => (await loggedCount(db, portal.portalId)) === 2, 'two logged messages');

    const comms = liveComms(portal).sort((x, y) => x.properties.hs_timestamp!.localeCompare(y.properties.hs_timestamp!));
    expect(comms).toHaveLength(2);
    const [cin, cout] = comms as [(typeof comms)[0], (typeof comms)[0]];
    const hsContact = liveContacts(portal)[0]!;
    expect(cin.properties).toMatchObject({ hs_communication_channel_type: 'WHATS_APP', hs_communication_logged_from: 'CRM', hs_timestamp: sentAt.toISOString() });
    expect(cin.properties.hs_communication_body).toContain('WhatsApp from Carla &lt;b&gt;Díaz&lt;/b&gt;');
    expect(cin.properties.hs_communication_body).toContain('¿Tienen envío a Medellín?');
    expect(cin.properties.hubspot_owner_id).toBeUndefined();
    expect(cout.properties.hubspot_owner_id).toBe(owner.id);
    expect(cout.properties.hs_communication_body).toContain('sent by Rui Rep');
    expect(cout.properties.hs_communication_body).toContain('href="https://cdn.example.com/cat.jpg"');
    for (const c of comms) expect([...(c.associations.get('contacts')?.keys() ?? [])]).toEqual([hsContact.id]);
    const row = (await db.query('SELECT hubspot_communication_id FROM messages WHERE id = $1', [messageId])).rows[0];
    expect([cin.id, cout.id]).toContain(row.hubspot_communication_id);

    // "Last WhatsApp message" follows on the contact (batched property write).
    await waitFor(async () => hsContact.properties[CONTACT_PROPERTIES.lastMessageAt] === new Date(sentAt.getTime() + 60_000).toISOString(), 'last message property');
  });

  test('each message is logged once across redelivered events, two instances and status updates; 100 per batch', async () => {
    const portal = await connected();
    const before = h.sim.counters.byKind['communications.batch.create'] ?? 0;
    const ids = await inboundMany(
      a,
      portal.portalId,
      Array.from({ length: 250 }, (_, i) => ({ waId: `57300444${String(i % 25).padStart(4, '0')}` })),
    );
    // Every event twice, on both instances, plus status updates.
    await Promise.all([
      ...ids.map((messageId) => a.ctx.events.emit('message.inbound', { messageId, portalId: portal.portalId })),
      ...ids.map((messageId) => b.ctx.events.emit('message.inbound', { messageId, portalId: portal.portalId })),
      ...ids.slice(0, 20).map((messageId) => b.ctx.events.emit('message.status', { messageId, status: 'read' })),
    ]);
    await waitFor(async () => (await loggedCount(db, portal.portalId)) === 250, '250 logged');
    await Promise.all([internals(a).timeline.drainer.run(portal.portalId), internals(b).timeline.drainer.run(portal.portalId)]);
    expect(liveComms(portal)).toHaveLength(250);
    expect(liveContacts(portal)).toHaveLength(25);
    expect(h.sim.counters.byKind['communications.batch.create']! - before).toBeLessThanOrEqual(4);
    const distinct = (await db.query('SELECT count(DISTINCT hubspot_communication_id)::int AS n FROM messages WHERE portal_id = $1', [portal.portalId])).rows[0].n;
    expect(distinct).toBe(250);
  });

  test('messages committing one by one while drains run on two instances are all logged, woken by a few jobs', async () => {
    const portal = await connected();
    const logged = await loggedCount(db, portal.portalId);
    const jobsBefore = await wakeJobs(portal.portalId);
    // 80 webhook-like transactions over ~2 s, half on each instance, each emitting as it stores.
    const commits = Array.from({ length: 80 }, async (_, i) => {
      await new Promise((r) => setTimeout(r, i * 25));
      const rt = i % 2 ? a : b;
      await rt.db.tx(async (c) => {
        const contact = await upsertWhatsAppContact(c, { portalId: portal.portalId, waId: `57300555${String(i).padStart(4, '0')}`, profileName: null });
        const m = await c.query<{ id: number }>(
          `INSERT INTO messages (portal_id, contact_id, phone_number_id, wamid, direction, type, text, payload, status, sender, sent_at)
           VALUES ($1, $2, 'PN1', $3, 'in', 'text', $4, '{}', 'received', 'customer', now()) RETURNING id`,
          [portal.portalId, contact.id, `wamid.onebyone.${i}`, `uno por uno ${i}`],
        );
        await rt.ctx.events.emit('message.inbound', { messageId: Number(m.rows[0]!.id), portalId: portal.portalId }, { client: c });
      });
    });
    await Promise.all(commits);
    await waitFor(async () => (await loggedCount(db, portal.portalId)) === logged + 80, 'the 80 messages logged', 20_000);
    expect((await wakeJobs(portal.portalId)) - jobsBefore).toBeLessThan(20);
  });

  test('a batch whose answer was lost is reconciled, not created twice', async () => {
    const portal = await connected();
    proxy.loseAnswerOf(/communications\/batch\/create/);
    for (let i = 0; i < 30; i++) await inbound(a, { portalId: portal.portalId, waId: `57300555${String(i % 3).padStart(4, '0')}` });
    await waitFor(async () => (await loggedCount(db, portal.portalId)) === 30, '30 logged after a lost answer', 30_000);
    expect(proxy.lost()).toBe(1);
    expect(liveComms(portal)).toHaveLength(30);
    expect(h.sim.counters.byKind['communications.search']).toBeGreaterThanOrEqual(1);
    const claims = (await db.query('SELECT count(*)::int AS n FROM hubspot_timeline_claims WHERE portal_id = $1', [portal.portalId])).rows[0].n;
    expect(claims).toBe(0);
  });

  test('a contact deleted in HubSpot is re-created and the message still logged', async () => {
    const portal = await connected();
    await inbound(a, { portalId: portal.portalId, waId: '573006660000', profileName: 'Tomás' });
    await waitFor(async () => (await loggedCount(db, portal.portalId)) === 1, 'first logged');
    const first = liveContacts(portal)[0]!;
    await deleteInHubSpot(h, portal, 'contacts', first.id); // deleted by a user in HubSpot
    await inbound(a, { portalId: portal.portalId, waId: '573006660000', profileName: 'Tomás' });
    await waitFor(async () => (await loggedCount(db, portal.portalId)) === 2, 'second logged');
    const now = liveContacts(portal);
    expect(now).toHaveLength(1);
    expect(now[0]!.id).not.toBe(first.id);
    const last = liveComms(portal).find((c) => c.associations.get('contacts')?.has(now[0]!.id));
    expect(last).toBeTruthy();
  });
});
