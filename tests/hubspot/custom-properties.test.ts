/**
 * Custom contact properties (issue 15: a bot flow's collect step may fill one): the property outbox
 * makes sure each exists at HubSpot before writing to it — created as text in the app's `whatsapp`
 * group when missing, used as is when HubSpot already has it as text, and left unwritten (without
 * holding up the rest of the batch) when HubSpot has it as something that cannot take the answer.
 */
import { ManualClock } from '../../src/clock.js';
import { upsertWhatsAppContact } from '../../src/contacts/contacts-repo.js';
import { buildProperty } from '../../simulators/hubspot/routes-properties.js';
import type { Portal } from '../../simulators/hubspot/index.js';
import type { TestRuntime } from '../helpers/runtime.js';
import { install, liveContacts, newPortal, startApp, startSimulator, waitFor, type SimHandle } from './helpers.js';

let h: SimHandle;
let rt: TestRuntime;
// Manual, so a failed write's backoff can be waited out.
const clock = new ManualClock(Date.now());

beforeAll(async () => {
  h = await startSimulator();
  rt = await startApp(h.url, { clock });
});
afterAll(async () => {
  await rt?.close();
  await h?.close();
});

async function connectedContact(waId: string, name: string): Promise<{ portal: Portal; contactId: number }> {
  const portal = newPortal(h.sim);
  await install(rt, h, portal);
  const c = await upsertWhatsAppContact(rt.db.pool, { portalId: portal.portalId, waId, profileName: name });
  return { portal, contactId: Number(c.id) };
}

const state = async (portalId: number, name: string) =>
  (await rt.db.query('SELECT state, detail FROM hubspot_custom_properties WHERE portal_id = $1 AND name = $2', [portalId, name])).rows[0];
const outboxEmpty = async () => (await rt.db.query('SELECT count(*)::int AS n FROM hubspot_property_outbox')).rows[0].n === 0;

describe('custom contact properties', () => {
  test('a missing one is created as text in the app group, then written; one HubSpot already has as text is used as is', async () => {
    const { portal, contactId } = await connectedContact('573007771001', 'Pia');
    // The admin made "referencia_cliente" in HubSpot before (another group): the app must not create it again.
    portal.properties.set('referencia_cliente', buildProperty(portal.schemas.contacts, { name: 'referencia_cliente', label: 'Referencia', type: 'string', fieldType: 'textarea', groupName: 'contactinformation' }, new Date().toISOString()));
    expect(portal.properties.has('numero_pedido')).toBe(false);

    await rt.db.tx((q) =>
      rt.services.hubspot!.enqueueContactProperties(q, {
        portalId: portal.portalId,
        contactId,
        properties: { numero_pedido: 'AB-1234', referencia_cliente: 'VIP 7', company: 'Andina SAS' },
        define: [{ name: 'numero_pedido', label: 'Número de pedido' }, { name: 'referencia_cliente', label: 'Referencia del cliente' }],
      }),
    );
    await waitFor(async () => liveContacts(portal)[0]?.properties.numero_pedido === 'AB-1234', 'custom value written');
    expect(liveContacts(portal)[0]!.properties).toMatchObject({ referencia_cliente: 'VIP 7', company: 'Andina SAS' });
    expect(portal.properties.get('numero_pedido')).toMatchObject({ label: 'Número de pedido', type: 'string', fieldType: 'text', groupName: 'whatsapp' });
    expect(portal.properties.get('referencia_cliente')).toMatchObject({ label: 'Referencia', groupName: 'contactinformation' });
    expect(await state(portal.portalId, 'numero_pedido')).toEqual({ state: 'ready', detail: null });

    // Once ready it is not looked up again.
    const reads = h.sim.counters.byKind['properties.batch.read'] ?? 0;
    await rt.db.tx((q) => rt.services.hubspot!.enqueueContactProperties(q, { portalId: portal.portalId, contactId, properties: { numero_pedido: 'AB-9' }, define: [{ name: 'numero_pedido', label: 'Número de pedido' }] }));
    await waitFor(async () => liveContacts(portal)[0]?.properties.numero_pedido === 'AB-9', 'second value written');
    expect(h.sim.counters.byKind['properties.batch.read'] ?? 0).toBe(reads);
  });

  test('one HubSpot has as a number is left unwritten, with the reason, and the rest of the batch still goes', async () => {
    const { portal, contactId } = await connectedContact('573007771002', 'Teo');
    const other = Number((await upsertWhatsAppContact(rt.db.pool, { portalId: portal.portalId, waId: '573007771003', profileName: 'Uma' })).id);
    portal.properties.set('presupuesto', buildProperty(portal.schemas.contacts, { name: 'presupuesto', label: 'Presupuesto', type: 'number', fieldType: 'number', groupName: 'contactinformation' }, new Date().toISOString()));
    await rt.db.tx(async (q) => {
      const hs = rt.services.hubspot!;
      await hs.enqueueContactProperties(q, { portalId: portal.portalId, contactId, properties: { presupuesto: 'unos mil', jobtitle: 'Compras' }, define: [{ name: 'presupuesto', label: 'Presupuesto' }] });
      await hs.enqueueContactProperties(q, { portalId: portal.portalId, contactId: other, properties: { presupuesto: 'poco' }, define: [{ name: 'presupuesto', label: 'Presupuesto' }] });
    });
    await waitFor(outboxEmpty, 'outbox drained');
    const teo = liveContacts(portal).find((c) => c.properties.firstname === 'Teo')!;
    expect(teo.properties.jobtitle).toBe('Compras');
    expect(teo.properties.presupuesto).toBeUndefined();
    expect(await state(portal.portalId, 'presupuesto')).toEqual({ state: 'conflict', detail: expect.stringMatching(/type number .*text property/) });
  });

  test('a name nobody declared is still dropped (HubSpot would refuse the whole batch)', async () => {
    const { portal, contactId } = await connectedContact('573007771004', 'Vera');
    await rt.db.tx((q) => rt.services.hubspot!.enqueueContactProperties(q, { portalId: portal.portalId, contactId, properties: { not_declared: 'x', city: 'Cali' } }));
    await waitFor(async () => liveContacts(portal)[0]?.properties.city === 'Cali', 'city written');
    expect(portal.properties.has('not_declared')).toBe(false);
    expect(liveContacts(portal)[0]!.properties.not_declared).toBeUndefined();
  });

  test('a ready one deleted in HubSpot since is checked again instead of failing every write', async () => {
    const { portal, contactId } = await connectedContact('573007771005', 'Wes');
    const write = (v: string) =>
      rt.db.tx((q) => rt.services.hubspot!.enqueueContactProperties(q, { portalId: portal.portalId, contactId, properties: { talla: v, city: `Pasto ${v}` }, define: [{ name: 'talla', label: 'Talla' }] }));
    await write('M');
    await waitFor(async () => liveContacts(portal)[0]?.properties.talla === 'M', 'first write');
    portal.properties.delete('talla'); // purged in HubSpot
    await write('L');
    // HubSpot refuses the write (no such property); past the backoff the sweep retries it.
    await waitFor(async () => (await rt.db.query('SELECT attempts FROM hubspot_property_outbox WHERE contact_id = $1', [contactId])).rows[0]?.attempts === 1, 'refused once');
    expect(await state(portal.portalId, 'talla')).toMatchObject({ state: 'pending' });
    clock.advance(61_000);
    await waitFor(async () => liveContacts(portal)[0]?.properties.talla === 'L', 'created again and written');
    expect(portal.properties.get('talla')).toMatchObject({ groupName: 'whatsapp', type: 'string' });
  });
});
