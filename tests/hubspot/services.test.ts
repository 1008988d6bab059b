import { upsertWhatsAppContact } from '../../src/contacts/contacts-repo.js';
import { CONTACT_PROPERTIES } from '../../src/hubspot/index.js';
import type { Portal } from '../../simulators/hubspot/index.js';
import type { TestRuntime } from '../helpers/runtime.js';
import { signedRequest } from '../helpers/signed.js';
import { deleteInHubSpot, inbound, install, internals, liveContacts, newPortal, startApp, startSimulator, waitFor, type SimHandle } from './helpers.js';

let h: SimHandle;
let rt: TestRuntime;

beforeAll(async () => {
  // Search allows only 1 per second here, while our limiter would allow 10: HubSpot's 429 must be honoured.
  h = await startSimulator({ rateLimit: { perTenSeconds: 110, searchPerSecond: 1 } });
  rt = await startApp(h.url, { withWhatsApp: true, hubspot: { rateLimits: { generalPerTenSeconds: 100, searchPerSecond: 10 } } });
});
afterAll(async () => {
  await rt?.close();
  await h?.close();
});

async function connected(): Promise<Portal> {
  const portal = newPortal(h.sim);
  await install(rt, h, portal);
  return portal;
}

async function conversation(portalId: number, contactId: number): Promise<number> {
  const r = await rt.db.query(`INSERT INTO conversations (portal_id, contact_id, phone_number_id, status) VALUES ($1, $2, 'PN1', 'open') RETURNING id`, [
    portalId,
    contactId,
  ]);
  return Number(r.rows[0].id);
}

describe('HubSpot services for other domains', () => {
  test('listOwners: owner ids (not user ids), cached', async () => {
    const portal = await connected();
    const owners = await rt.services.hubspot!.listOwners(portal.portalId);
    expect(owners).toHaveLength(2);
    const rep = owners.find((o) => o.userId === 902)!;
    expect(rep).toMatchObject({ email: 'rep@shop.example.com', name: 'Rui Rep' });
    expect(rep.ownerId).not.toBe('902');
    expect(rep.id).toBe(rep.ownerId);
    const calls = h.sim.counters.total;
    await rt.services.hubspot!.listOwners(portal.portalId);
    expect(h.sim.counters.total).toBe(calls);
  });

  test('enqueueContactProperties: durable, merged per contact, consent spelled granted/declined/unknown, unknown names dropped', async () => {
    const portal = await connected();
    const c = await upsertWhatsAppContact(rt.db.pool, { portalId: portal.portalId, waId: '573007770001', profileName: 'Nora' });
    const app = rt.services.hubspot!;
    await rt.db.tx(async (q) => {
      await app.enqueueContactProperties(q, { portalId: portal.portalId, contactId: Number(c.id), properties: { [CONTACT_PROPERTIES.consent]: 'opted_in', not_a_property: 'x' } });
      await app.enqueueContactProperties(q, {
        portalId: portal.portalId,
        contactId: Number(c.id),
        properties: { [CONTACT_PROPERTIES.consentAt]: new Date('2026-04-01T10:00:00Z'), [CONTACT_PROPERTIES.optedOut]: false },
      });
    });
    await waitFor(async () => liveContacts(portal)[0]?.properties[CONTACT_PROPERTIES.consentAt], 'properties written');
    expect(liveContacts(portal)[0]!.properties).toMatchObject({
      [CONTACT_PROPERTIES.consent]: 'granted',
      [CONTACT_PROPERTIES.consentAt]: '2026-04-01T10:00:00.000Z',
      [CONTACT_PROPERTIES.optedOut]: 'false',
      firstname: 'Nora',
    });
    await waitFor(async () => (await rt.db.query('SELECT count(*)::int AS n FROM hubspot_property_outbox')).rows[0].n === 0, 'outbox empty');
    // A rolled-back transaction queues nothing.
    await expect(
      rt.db.tx(async (q) => {
        await app.enqueueContactProperties(q, { portalId: portal.portalId, contactId: Number(c.id), properties: { [CONTACT_PROPERTIES.optedOut]: true } });
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');
    expect((await rt.db.query('SELECT count(*)::int AS n FROM hubspot_property_outbox')).rows[0].n).toBe(0);
  });

  test('enqueueTask: one task per conversation, updated not duplicated; completed; a later one is new', async () => {
    const portal = await connected();
    const owner = [...portal.owners.values()][1]!;
    const c = await upsertWhatsAppContact(rt.db.pool, { portalId: portal.portalId, waId: '573007770002', profileName: 'Iván' });
    const conv = await conversation(portal.portalId, Number(c.id));
    const app = rt.services.hubspot!;
    const task = (subject: string) =>
      rt.db.tx((q) =>
        app.enqueueTask(q, { portalId: portal.portalId, conversationId: conv, contactId: Number(c.id), ownerId: owner.id, subject, body: 'Open the contact to reply.', kind: 'assigned' }),
      );
    await task('WhatsApp: Iván is waiting');
    await waitFor(async () => [...portal.tasks.values()].length === 1, 'task created');
    await task('WhatsApp: Iván replied');
    await waitFor(async () => [...portal.tasks.values()][0]!.properties.hs_task_subject === 'WhatsApp: Iván replied', 'task updated');
    expect([...portal.tasks.values()]).toHaveLength(1);
    const t = [...portal.tasks.values()][0]!;
    expect(t.properties).toMatchObject({ hubspot_owner_id: owner.id, hs_task_status: 'NOT_STARTED' });
    expect([...(t.associations.get('contacts')?.keys() ?? [])]).toEqual([liveContacts(portal)[0]!.id]);

    await rt.db.tx((q) => app.completeTask(q, { portalId: portal.portalId, conversationId: conv }));
    await waitFor(async () => t.properties.hs_task_status === 'COMPLETED', 'task completed');
    await task('WhatsApp: Iván wrote again');
    await waitFor(async () => [...portal.tasks.values()].length === 2, 'a new task after completion');

    // Deleted in HubSpot: the next update creates it again rather than failing forever.
    const open = [...portal.tasks.values()].find((x) => x.properties.hs_task_status === 'NOT_STARTED' && !x.archived)!;
    await deleteInHubSpot(h, portal, 'tasks', open.id);
    await task('WhatsApp: Iván is still waiting');
    await waitFor(async () => [...portal.tasks.values()].filter((x) => !x.archived && x.properties.hs_task_status === 'NOT_STARTED').length === 1, 'recreated');
  });

  test('a task requested right after the completion (before HubSpot has it) is a new task; the completed one stays completed', async () => {
    const portal = await connected();
    const owner = [...portal.owners.values()][1]!;
    const c = await upsertWhatsAppContact(rt.db.pool, { portalId: portal.portalId, waId: '573007770003', profileName: 'Rosa' });
    const conv = await conversation(portal.portalId, Number(c.id));
    const app = rt.services.hubspot!;
    const req = (subject: string) => ({ portalId: portal.portalId, conversationId: conv, contactId: Number(c.id), ownerId: owner.id, subject, body: 'Open the contact to reply.', kind: 'assigned' as const });
    const mine = () => [...portal.tasks.values()].filter((x) => String(x.properties.hs_task_subject ?? '').includes('Rosa'));
    await rt.db.tx((q) => app.enqueueTask(q, req('WhatsApp: Rosa is waiting')));
    await waitFor(async () => mine().length === 1, 'task created');
    // The completion and the next request commit together: no drain has told HubSpot yet.
    await rt.db.tx(async (q) => {
      await app.completeTask(q, { portalId: portal.portalId, conversationId: conv });
      await app.enqueueTask(q, req('WhatsApp: Rosa wrote again'));
    });
    await waitFor(async () => mine().length === 2 && mine().some((x) => x.properties.hs_task_status === 'COMPLETED'), 'completed, and a second task');
    await rt.idle();
    const byStatus = Object.fromEntries(mine().map((x) => [String(x.properties.hs_task_subject), x.properties.hs_task_status]));
    expect(byStatus).toEqual({ 'WhatsApp: Rosa is waiting': 'COMPLETED', 'WhatsApp: Rosa wrote again': 'NOT_STARTED' });
  });

  test('a search answered with 429 (secondly) is retried after the policy wait and succeeds', async () => {
    const portal = await connected();
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) {
      const c = await upsertWhatsAppContact(rt.db.pool, { portalId: portal.portalId, waId: `57300888000${i}`, profileName: `R${i}` });
      ids.push(Number(c.id));
    }
    const core = internals(rt).core;
    // Three separate look-ups, each its own search, issued at once: the second and third get 429.
    const client = core.client(portal.portalId);
    const search = () => client.searchContacts({ filterGroups: [{ filters: [{ propertyName: 'phone', operator: 'HAS_PROPERTY' }] }], limit: 1 });
    const before = h.sim.counters.rateLimited;
    const results = await Promise.all([search(), search(), search()]);
    expect(results).toHaveLength(3);
    expect(h.sim.counters.rateLimited - before).toBeGreaterThanOrEqual(1);
    expect(core.stats.rateLimited).toBeGreaterThanOrEqual(1);
  });

  test('contact.privacyDeletion (signed webhook) deletes the WhatsApp data and keeps only consent evidence', async () => {
    const portal = await connected();
    const { contactId } = await inbound(rt, { portalId: portal.portalId, waId: '573009876543', profileName: 'Olga', text: 'borrar mis datos' });
    await inbound(rt, { portalId: portal.portalId, waId: '573009876543', text: 'gracias' });
    const hs = await rt.services.hubspot!.ensureHubSpotContact(portal.portalId, contactId);
    await rt.db.query(`UPDATE contacts SET consent = 'granted', consent_at = '2026-03-01T10:00:00Z' WHERE id = $1`, [contactId]);
    // An attachment of theirs stored on disk must go with them.
    const storage = rt.services.whatsapp!.storage;
    const file = await storage.put({ portalId: portal.portalId, bytes: Buffer.from('%PDF-1.4 factura') });
    await rt.db.query(
      `INSERT INTO media_objects (portal_id, contact_id, direction, phone_number_id, mime_type, storage_key, state)
       VALUES ($1, $2, 'in', 'PN-privacy', 'application/pdf', $3, 'stored')`,
      [portal.portalId, contactId, file.key],
    );
    expect(await storage.get(file.key)).toBeDefined();
    const other = await inbound(rt, { portalId: portal.portalId, waId: '573001111111', text: 'otro cliente' });

    const event = h.sim.privacyDeletionEvent({ portalId: portal.portalId, objectId: hs });
    const unsigned = await signedRequest(rt.app, { method: 'POST', path: '/webhooks/hubspot', body: [event], secret: 'wrong' });
    expect(unsigned.status).toBe(401);
    const res = await signedRequest(rt.app, { method: 'POST', path: '/webhooks/hubspot', body: [event, { ...event, subscriptionType: 'contact.propertyChange' }] });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ received: 2, queued: 1 });

    await waitFor(async () => (await rt.db.query('SELECT 1 FROM contacts WHERE id = $1', [contactId])).rowCount === 0, 'contact deleted');
    expect((await rt.db.query('SELECT count(*)::int AS n FROM messages WHERE contact_id = $1', [contactId])).rows[0].n).toBe(0);
    expect((await rt.db.query('SELECT 1 FROM contacts WHERE id = $1', [other.contactId])).rowCount).toBe(1);
    const kept = (await rt.db.query('SELECT * FROM hubspot_privacy_deletions WHERE portal_id = $1', [portal.portalId])).rows;
    expect(kept).toHaveLength(1);
    expect(kept[0]).toMatchObject({ hubspot_contact_id: hs, consent: 'granted', contacts_deleted: 1, messages_deleted: 2 });
    expect(kept[0].consent_at.toISOString()).toBe('2026-03-01T10:00:00.000Z');
    expect(JSON.stringify(kept[0])).not.toContain('573009876543');
    await waitFor(async () => (await storage.get(file.key)) === undefined, 'media file erased');
  });
});
