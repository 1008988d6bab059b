/**
 * Issue 5 acceptance, end to end through both simulators: the real WhatsApp module against the Meta
 * simulator (signed webhooks in, Graph sends out, statuses back), the real HubSpot module against the
 * HubSpot simulator (OAuth install, owners, contacts, consent properties, tasks), and the extension
 * API signed like HubSpot's proxy.
 */
import { CONSENT_BUTTON } from '../../src/consent/index.js';
import { SYSTEM_LABELS } from '../../src/settings/index.js';
import { createMetaSimulator, type MetaSimulator } from '../../simulators/meta/index.js';
import { CONTACT_PROPERTIES as P } from '../../src/hubspot/index.js';
import type { Portal } from '../../simulators/hubspot/index.js';
import { TEST_SECRETS } from '../helpers/config.js';
import { install, newPortal, startSimulator, type SimHandle } from '../hubspot/helpers.js';
import { startTestRuntime, type TestRuntime } from '../helpers/runtime.js';
import { signedRequest } from '../helpers/signed.js';
import { waitFor } from './helpers.js';

let PORTAL = 0;
let ADMIN = 0;
let hubspot: SimHandle;
let portal: Portal;
const PNID = '106540352242922';
const WABA = '102290129340398';
const TOKEN = 'EAAtesttoken-0123456789-abcdefghij';
const H = 3_600_000;

let rt: TestRuntime;
let sim: MetaSimulator;
let closeSim: () => Promise<void>;
let agents: { agentId: string; ownerId: string; userId: number; name: string }[] = [];

const api = (method: 'GET' | 'POST' | 'PUT', path: string, o: { body?: unknown; userId?: number; query?: Record<string, string | number> } = {}) =>
  signedRequest(rt.app, {
    method,
    path,
    body: o.body,
    query: o.query,
    portalId: PORTAL,
    userId: o.userId ?? ADMIN,
    headers: method === 'GET' ? {} : { 'Idempotency-Key': `k-${Math.random().toString(36).slice(2)}` },
  });

const row = async (sql: string, params: unknown[]) => (await rt.db.query(sql, params)).rows[0];
const contactOf = (wa: string) => waitFor(() => row('SELECT * FROM contacts WHERE phone_e164 = $1', [`+${wa}`]));
const convsOf = async (contactId: number) => (await rt.db.query('SELECT * FROM conversations WHERE contact_id = $1 ORDER BY id', [contactId])).rows;
const inbox = (wa: string) => sim.customer.inbox(wa);

/** The HubSpot domain finds or creates the HubSpot contact of a WhatsApp customer (F2). */
async function linkHubSpot(contactId: number): Promise<string> {
  const linked = await waitFor(() => row('SELECT hubspot_contact_id FROM contacts WHERE id = $1 AND hubspot_contact_id IS NOT NULL', [contactId]), 20_000);
  return linked.hubspot_contact_id;
}
const hsContact = (id: string) => portal.contacts.get(id)!;
const hsTasks = (hubspotContactId: string) =>
  [...portal.tasks.values()].filter((t) => !t.archived && t.associations.get('contacts')?.has(hubspotContactId));

async function consentedCustomer(wa: string, name: string): Promise<{ contact: any; hubspotId: string }> {
  await sim.customer.sendText({ from: wa, to: PNID, name, text: 'Hola' });
  const prompt = await waitFor(() => inbox(wa).find((m) => m.type === 'interactive'));
  await sim.customer.tapButton({ from: wa, to: PNID, replyToWamid: prompt.wamid, buttonId: CONSENT_BUTTON.accept, title: 'Acepto' });
  const contact = await contactOf(wa);
  await waitFor(async () => (await convsOf(contact.id)).at(-1)?.status === 'open');
  return { contact, hubspotId: await linkHubSpot(contact.id) };
}

beforeAll(async () => {
  sim = createMetaSimulator({
    appSecret: TEST_SECRETS.WHATSAPP_APP_SECRET,
    numbers: [{ phoneNumberId: PNID, wabaId: WABA, displayPhoneNumber: '15550783881', verifiedName: 'Acme Support', accessToken: TOKEN }],
    statusDelayMs: 5,
  });
  const server = await sim.listen(0);
  closeSim = async () => {
    sim.stop();
    await server.close();
  };
  sim.seedTemplate({
    wabaId: WABA,
    name: 'seguimiento',
    language: 'es',
    category: 'UTILITY',
    components: [{ type: 'BODY', text: 'Hola {{1}}, ¿pudimos resolver tu caso {{2}}?', example: { body_text: [['Ana', '#12']] } }],
  });
  hubspot = await startSimulator();
  portal = newPortal(hubspot.sim);
  PORTAL = portal.portalId;
  ADMIN = portal.users[0]!.userId;
  rt = await startTestRuntime({ env: { WHATSAPP_API_BASE_URL: server.url, HUBSPOT_API_BASE_URL: hubspot.url, HUBSPOT_AUTH_BASE_URL: hubspot.url } });
  const { url } = await rt.listen(0, '127.0.0.1');
  sim.setWebhookUrl(`${url}/webhooks/whatsapp`);
  const installed = await install(rt, hubspot, portal, ADMIN);
  expect(installed.callback.status).toBe(302);

  const connect = await api('POST', '/api/v1/whatsapp-numbers', { body: { phoneNumberId: PNID, wabaId: WABA, accessToken: TOKEN, label: 'Customer Support' } });
  expect(connect.status).toBe(201);
  const settings = (await api('GET', '/api/v1/settings')).body;
  const allDay = [{ from: '00:00', to: '23:59' }];
  const put = await api('PUT', '/api/v1/settings', {
    body: {
      ...settings,
      consent: { ...settings.consent, policyUrl: 'https://acme.example/privacidad' },
      businessHours: { ...settings.businessHours, weekly: { mon: allDay, tue: allDay, wed: allDay, thu: allDay, fri: allDay, sat: allDay, sun: allDay } },
      autoClose: { enabled: false },
    },
  });
  expect(put.status).toBe(200);
  // Agents picked from the portal's HubSpot owners.
  const owners = (await api('GET', '/api/v1/owners')).body.owners;
  expect(owners.map((o: any) => o.userId).sort()).toEqual(portal.users.map((u) => u.userId).sort());
  const a = await api('PUT', '/api/v1/agents', {
    body: { agents: owners.map((o: any) => ({ ...o, active: true, available: true, outOfOffice: [] })) },
  });
  expect(a.status).toBe(200);
  agents = a.body.agents;
  const me = await api('GET', '/api/v1/me');
  expect(me.body).toMatchObject({ userId: ADMIN, isAdmin: true, agent: { ownerId: owners.find((o: any) => o.userId === ADMIN).ownerId } });
}, 180_000); // install, connect and settings on a loaded machine (the default 60 s hook timeout was met under load)
afterAll(async () => {
  await rt?.close();
  await closeSim?.();
  await hubspot?.close();
});

describe('conversations end to end through the Meta simulator (issue 5 acceptance)', () => {
  it('new customer → consent prompt → accept → assigned → agent reply → statuses → resolve → new message → new conversation, no second prompt', async () => {
    const wa = '573001112233';
    await sim.customer.sendText({ from: wa, to: PNID, name: 'Camila Díaz', text: 'Hola, ¿tienen envíos a Medellín?' });
    const prompt = await waitFor(() => inbox(wa).find((m) => m.type === 'interactive'));
    expect(prompt.text).toContain('Acme Support');
    expect(prompt.text).toContain('https://acme.example/privacidad');
    expect((prompt.request as any).interactive.action.buttons.map((b: any) => b.reply.title)).toEqual(['Acepto', 'No acepto']);
    const contact = await contactOf(wa);
    expect((await convsOf(contact.id))[0]).toMatchObject({ status: 'bot', assignee_agent_id: null });

    await sim.customer.tapButton({ from: wa, to: PNID, replyToWamid: prompt.wamid, buttonId: CONSENT_BUTTON.accept, title: 'Acepto' });
    const conv = await waitFor(async () => (await convsOf(contact.id)).find((c) => c.status === 'open' && c.assignee_agent_id));
    const ev = await row('SELECT * FROM consent_records WHERE contact_id = $1', [contact.id]);
    expect(ev).toMatchObject({ decision: 'granted', method: 'button', prompt_wamid: prompt.wamid, text_version: 1, phone_number_id: PNID, customer_phone: `+${wa}` });
    await waitFor(() => inbox(wa).some((m) => m.text?.startsWith('¡Gracias!')));

    const hubspotId = await linkHubSpot(contact.id);
    const agent = agents.find((x) => x.agentId === String(conv.assignee_agent_id))!;
    // consent mirrored to the HubSpot contact; the agent has a HubSpot task on it
    await waitFor(() => hsContact(hubspotId)?.properties[P.consent] === 'granted', 20_000);
    expect(hsContact(hubspotId).properties).toMatchObject({ [P.consentTextVersion]: '1', [P.optedOut]: 'false' });
    const task = await waitFor(() => hsTasks(hubspotId)[0], 20_000);
    expect(task.properties).toMatchObject({ hubspot_owner_id: agent.ownerId, hs_task_status: 'NOT_STARTED' });
    expect(task.properties.hs_task_body).toContain('Hola, ¿tienen envíos a Medellín?');

    const view = await api('GET', `/api/v1/contacts/${hubspotId}/conversation`);
    expect(view.body.contact).toMatchObject({ consent: 'granted', optedOut: false, waId: wa });
    expect(view.body.conversation).toMatchObject({ id: String(conv.id), status: 'open', phoneNumberId: PNID, assignee: { name: agent.name } });
    // the agent sees the customer's first message too
    expect(view.body.messages.map((m: any) => m.text)).toContain('Hola, ¿tienen envíos a Medellín?');

    const reply = await api('POST', `/api/v1/contacts/${hubspotId}/messages`, { userId: agent.userId, body: { text: 'Sí, en 2 días hábiles.' } });
    expect(reply.status).toBe(201);
    expect(reply.body.message).toMatchObject({ direction: 'out', status: 'accepted', sentBy: agent.name });
    expect(inbox(wa).map((m) => m.text)).toContain('Sí, en 2 días hábiles.');
    await waitFor(async () => (await row('SELECT status FROM messages WHERE id = $1', [Number(reply.body.message.id)])).status === 'delivered');
    const sent = inbox(wa).find((m) => m.text === 'Sí, en 2 días hábiles.')!;
    await sim.customer.read(sent.wamid);
    await waitFor(async () => {
      const v = await api('GET', `/api/v1/contacts/${hubspotId}/conversation`);
      return v.body.messages.find((m: any) => m.id === reply.body.message.id)?.status === 'read';
    });
    expect((await convsOf(contact.id))[0].status).toBe('pending');
    // the customer answers: the same task is updated, not duplicated
    await sim.customer.sendText({ from: wa, to: PNID, text: 'Perfecto, gracias' });
    await waitFor(async () => (await convsOf(contact.id))[0].status === 'open');
    await waitFor(() => hsTasks(hubspotId)[0]?.properties.hs_task_subject?.includes('replied'), 20_000);
    expect(hsTasks(hubspotId)).toHaveLength(1);

    const done = await api('POST', `/api/v1/conversations/${conv.id}/resolve`, { userId: agent.userId, body: { label: 'Resolved' } });
    expect(done.body.conversation).toMatchObject({ status: 'resolved', label: 'Resolved' });
    await waitFor(() => hsTasks(hubspotId)[0]?.properties.hs_task_status === 'COMPLETED', 20_000);

    const prompts = inbox(wa).filter((m) => m.type === 'interactive').length;
    await sim.customer.sendText({ from: wa, to: PNID, text: 'Otra pregunta: ¿y a Cali?' });
    const second = await waitFor(async () => (await convsOf(contact.id)).find((c) => c.id !== conv.id && c.assignee_agent_id));
    expect(second.status).toBe('open');
    expect(second.assignee_agent_id).not.toBe(conv.assignee_agent_id); // routed again: round robin moved on
    await rt.idle();
    expect(inbox(wa).filter((m) => m.type === 'interactive')).toHaveLength(prompts);
  });

  it('decline: recorded, answered politely, resolved with a system label, no agent', async () => {
    const wa = '573002223344';
    await sim.customer.sendText({ from: wa, to: PNID, name: 'Pedro', text: 'Buenas' });
    const prompt = await waitFor(() => inbox(wa).find((m) => m.type === 'interactive'));
    await sim.customer.tapButton({ from: wa, to: PNID, replyToWamid: prompt.wamid, buttonId: CONSENT_BUTTON.decline, title: 'No acepto' });
    const contact = await contactOf(wa);
    const conv = await waitFor(async () => (await convsOf(contact.id)).find((c) => c.status === 'resolved'));
    expect(conv).toMatchObject({ label: SYSTEM_LABELS.consentDeclined, assignee_agent_id: null });
    expect((await row('SELECT consent FROM contacts WHERE id = $1', [contact.id])).consent).toBe('declined');
    await waitFor(() => inbox(wa).some((m) => m.text?.startsWith('Entendido')));
    const hubspotId = await linkHubSpot(contact.id);
    await waitFor(() => hsContact(hubspotId)?.properties[P.consent] === 'declined', 20_000);
    expect(hsTasks(hubspotId)).toHaveLength(0);
  });

  it('free text instead of a button is asked again; then "sí" accepts', async () => {
    const wa = '573003334455';
    await sim.customer.sendText({ from: wa, to: PNID, name: 'Lucía', text: 'Hola' });
    await waitFor(() => inbox(wa).find((m) => m.type === 'interactive'));
    await sim.customer.sendText({ from: wa, to: PNID, text: 'necesito ayuda con mi pedido' });
    await waitFor(() => inbox(wa).filter((m) => m.type === 'interactive').length === 2);
    await sim.customer.sendText({ from: wa, to: PNID, text: 'sí' });
    const contact = await contactOf(wa);
    const conv = await waitFor(async () => (await convsOf(contact.id)).find((c) => c.status === 'open' && c.assignee_agent_id));
    expect(conv).toBeTruthy();
    expect((await row('SELECT method FROM consent_records WHERE contact_id = $1', [contact.id])).method).toBe('text');
  });

  it('opt-out, then a template send is refused with OPTED_OUT (nothing reaches Meta)', async () => {
    const wa = '573004445566';
    const { contact, hubspotId } = await consentedCustomer(wa, 'Mario');
    // first a template goes out fine
    const ok = await api('POST', `/api/v1/contacts/${hubspotId}/template-messages`, {
      userId: 101,
      body: { phoneNumberId: PNID, templateName: 'seguimiento', language: 'es', parameters: ['Mario', '#77'] },
    });
    expect(ok.status).toBe(201);
    expect(ok.body.message).toMatchObject({ type: 'template', text: 'Hola Mario, ¿pudimos resolver tu caso #77?' });

    await sim.customer.sendText({ from: wa, to: PNID, text: 'STOP' });
    await waitFor(async () => (await row('SELECT opted_out FROM contacts WHERE id = $1', [contact.id])).opted_out);
    await waitFor(() => inbox(wa).some((m) => m.text?.startsWith('Listo, no te enviaremos')));
    const before = inbox(wa).length;
    const refused = await api('POST', `/api/v1/contacts/${hubspotId}/template-messages`, {
      userId: 101,
      body: { phoneNumberId: PNID, templateName: 'seguimiento', language: 'es', parameters: ['Mario', '#78'] },
    });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('OPTED_OUT');
    expect(inbox(wa)).toHaveLength(before);
    await waitFor(() => hsContact(hubspotId)?.properties[P.optedOut] === 'true', 20_000);
  });

  it('window: Meta timestamps 23 h old allow a free-form reply; 25 h old answer WINDOW_CLOSED without calling Meta', async () => {
    for (const [wa, hours, expected] of [
      ['573005556677', 23, 201],
      ['573006667788', 25, 409],
    ] as const) {
      // a customer who consented long ago writes; the webhook carries Meta's (old) timestamp
      await rt.db.query(
        `INSERT INTO contacts (portal_id, wa_id, phone_e164, consent, consent_at) VALUES ($1, $2, $3, 'granted', now() - interval '30 days')`,
        [PORTAL, wa, `+${wa}`],
      );
      const timestamp = Math.floor((Date.now() - hours * H) / 1000);
      await sim.customer.sendText({ from: wa, to: PNID, name: 'Old', text: 'hola', timestamp });
      const contact = await contactOf(wa);
      const conv = await waitFor(async () => (await convsOf(contact.id))[0]);
      // Meta's timestamp + 24 h exactly (not "now + the rest": a slow machine would drift past a tolerance)
      expect(new Date(conv.window_expires_at).getTime()).toBe(timestamp * 1000 + 24 * H);
      const hubspotId = await linkHubSpot(contact.id);
      const graphSends = sim.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/messages')).length;
      const r = await api('POST', `/api/v1/contacts/${hubspotId}/messages`, { userId: 101, body: { text: '¿Sigues interesado?' } });
      expect(r.status).toBe(expected);
      const after = sim.requests.filter((x) => x.method === 'POST' && x.path.endsWith('/messages')).length;
      if (expected === 409) {
        expect(r.body.error.code).toBe('WINDOW_CLOSED');
        expect(after).toBe(graphSends);
        // a template reopens it
        const t = await api('POST', `/api/v1/contacts/${hubspotId}/template-messages`, {
          userId: 101,
          body: { phoneNumberId: PNID, templateName: 'seguimiento', language: 'es', parameters: ['Ana', '#1'] },
        });
        expect(t.status).toBe(201);
        expect(t.body.conversation).toMatchObject({ status: 'pending' });
      } else {
        expect(after).toBe(graphSends + 1);
      }
    }
  });
});
