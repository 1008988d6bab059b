import { upsertWhatsAppContact } from '../../src/contacts/contacts-repo.js';
import type { Database } from '../../src/db/database.js';
import { CONTACT_PROPERTIES } from '../../src/hubspot/index.js';
import { matchStoredPhone, phoneIdentity, toE164 } from '../../src/hubspot/phone.js';
import type { Portal } from '../../simulators/hubspot/index.js';
import { testDatabase } from '../helpers/db.js';
import type { TestRuntime } from '../helpers/runtime.js';
import { deleteInHubSpot, install, liveContacts, newPortal, startApp, startSimulator, type SimHandle } from './helpers.js';

let h: SimHandle;
let db: Database;
let a: TestRuntime;
let b: TestRuntime;

beforeAll(async () => {
  // A contact written a moment ago is not yet visible to search (HubSpot's indexing lag).
  h = await startSimulator({ searchIndexLagMs: 60_000 });
  db = await testDatabase();
  a = await startApp(h.url, { db, work: false });
  b = await startApp(h.url, { db, work: false });
});
afterAll(async () => {
  await a?.close();
  await b?.close();
  await db?.close();
  await h?.close();
});

async function connected(): Promise<Portal> {
  const portal = newPortal(h.sim);
  await install(a, h, portal);
  return portal;
}

describe('phone numbers', () => {
  test('E.164, variants and stored spellings', () => {
    expect(toE164('573001234567')).toBe('+573001234567');
    expect(toE164('+57 300 123 4567')).toBe('+573001234567');
    expect(toE164('300 123 4567', 'CO')).toBe('+573001234567');
    const br = phoneIdentity('+551187654321')!; // WhatsApp id without the 9th digit
    expect(br.e164Variants).toEqual(expect.arrayContaining(['+551187654321', '+5511987654321']));
    expect(matchStoredPhone(br, '+55 11 98765-4321')).toBe(2);
    const ar = phoneIdentity('+5491123456789')!;
    expect(ar.nationals).toEqual(expect.arrayContaining(['91123456789', '1123456789']));
    expect(matchStoredPhone(ar, '+54 11 2345-6789')).toBe(2);
    expect(matchStoredPhone(ar, '011 15 2345-6789')).toBe(1);
    const co = phoneIdentity('+573001234567')!;
    expect(matchStoredPhone(co, '(300) 123-4567')).toBe(1);
    expect(matchStoredPhone(co, '573001234567')).toBe(2);
    expect(matchStoredPhone(co, '+573001234568')).toBe(0);
  });
});

describe('contact identity', () => {
  test('10 concurrent first messages from one new number (two instances) → one HubSpot contact', async () => {
    const portal = await connected();
    const c = await upsertWhatsAppContact(db.pool, { portalId: portal.portalId, waId: '573001110001', profileName: 'Ana María Ruiz' });
    const ids = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).services.hubspot!.ensureHubSpotContact(portal.portalId, Number(c.id))),
    );
    expect(new Set(ids).size).toBe(1);
    const contacts = liveContacts(portal);
    expect(contacts).toHaveLength(1);
    expect(contacts[0]!.properties).toMatchObject({
      phone: '+573001110001',
      firstname: 'Ana',
      lastname: 'María Ruiz',
      [CONTACT_PROPERTIES.phoneE164]: '+573001110001',
      [CONTACT_PROPERTIES.waId]: '573001110001',
    });
    const row = (await db.query('SELECT hubspot_contact_id FROM contacts WHERE id = $1', [c.id])).rows[0];
    expect(row.hubspot_contact_id).toBe(ids[0]);
    // Later calls answer from our database.
    const calls = h.sim.counters.total;
    await a.services.hubspot!.ensureHubSpotContact(portal.portalId, Number(c.id));
    expect(h.sim.counters.total).toBe(calls);
  });

  test('a phone stored in HubSpot without its country code is found; an empty name is filled from WhatsApp', async () => {
    const portal = await connected();
    // Written through the API (so HubSpot computes its searchable number), long enough ago to be indexed.
    const old = await fetch(`${h.url}/crm/objects/2026-03/contacts`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${h.sim.issueTokens({ portalId: portal.portalId }).access_token}` },
      body: JSON.stringify({ properties: { phone: '300 222 3344', email: 'luz@example.com' } }),
    }).then((r) => r.json() as Promise<{ id: string }>);
    const rec = portal.contacts.get(old.id)!;
    rec.index.forEach((e) => (e.at -= 120_000));
    const c = await upsertWhatsAppContact(db.pool, { portalId: portal.portalId, waId: '573002223344', profileName: 'Luz Pérez' });
    const hs = await a.services.hubspot!.ensureHubSpotContact(portal.portalId, Number(c.id));
    expect(hs).toBe(old.id);
    expect(liveContacts(portal)).toHaveLength(1);
    expect(rec.properties).toMatchObject({ firstname: 'Luz', lastname: 'Pérez', [CONTACT_PROPERTIES.phoneE164]: '+573002223344' });
  });

  test("a name already in HubSpot is kept; Brazil's missing 9 and Argentina's extra 9 still match", async () => {
    const portal = await connected();
    const token = h.sim.issueTokens({ portalId: portal.portalId }).access_token;
    const make = async (properties: Record<string, string>) => {
      const r = (await fetch(`${h.url}/crm/objects/2026-03/contacts`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
        body: JSON.stringify({ properties }),
      }).then((x) => x.json())) as { id: string };
      portal.contacts.get(r.id)!.index.forEach((e) => (e.at -= 120_000));
      return r.id;
    };
    const br = await make({ mobilephone: '+55 11 98765-4321', firstname: 'João' });
    const ar = await make({ phone: '+54 11 2345-6789', firstname: 'Sofía', lastname: 'Gómez' });
    const c1 = await upsertWhatsAppContact(db.pool, { portalId: portal.portalId, waId: '551187654321', profileName: 'Joao S' });
    const c2 = await upsertWhatsAppContact(db.pool, { portalId: portal.portalId, waId: '5491123456789', profileName: 'Sofi' });
    const res = await Promise.all([
      a.services.hubspot!.ensureHubSpotContact(portal.portalId, Number(c1.id)),
      a.services.hubspot!.ensureHubSpotContact(portal.portalId, Number(c2.id)),
    ]);
    expect(res).toEqual([br, ar]);
    expect(portal.contacts.get(br)!.properties.firstname).toBe('João');
    expect(portal.contacts.get(br)!.properties.lastname).toBe('S'); // the empty one is filled
    expect(portal.contacts.get(ar)!.properties).toMatchObject({ firstname: 'Sofía', lastname: 'Gómez' });
    expect(liveContacts(portal)).toHaveLength(2);
  });

  test('many new numbers are looked up together: one search and one create per 100 numbers', async () => {
    const portal = await connected();
    const ids: number[] = [];
    for (let i = 0; i < 150; i++) {
      const c = await upsertWhatsAppContact(db.pool, { portalId: portal.portalId, waId: `5730077${String(i).padStart(5, '0')}`, profileName: `Cliente ${i}` });
      ids.push(Number(c.id));
    }
    const before = { ...h.sim.counters.byKind };
    const res = await Promise.all(ids.map((id) => a.services.hubspot!.ensureHubSpotContact(portal.portalId, id)));
    expect(new Set(res).size).toBe(150);
    const delta = (k: string) => (h.sim.counters.byKind[k] ?? 0) - (before[k] ?? 0);
    expect(delta('contacts.search')).toBe(2);
    expect(delta('contacts.batch.create')).toBe(2);
    expect(liveContacts(portal)).toHaveLength(150);
  });

  test('a contact deleted in HubSpot is found again or re-created', async () => {
    const portal = await connected();
    const c = await upsertWhatsAppContact(db.pool, { portalId: portal.portalId, waId: '573009990000', profileName: 'Eva' });
    const first = await a.services.hubspot!.ensureHubSpotContact(portal.portalId, Number(c.id));
    await deleteInHubSpot(h, portal, 'contacts', first);
    expect(await a.services.hubspot!.contactOwnerId(portal.portalId, Number(c.id))).toBeNull();
    const second = (await db.query('SELECT hubspot_contact_id FROM contacts WHERE id = $1', [c.id])).rows[0].hubspot_contact_id;
    expect(second).not.toBe(first);
    expect(portal.contacts.get(second)!.archived).toBe(false);
  });
});

