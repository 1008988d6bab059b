/**
 * Issue 15 (F10) end to end through both simulators: consent, then a bot flow with a greeting, a
 * menu and a collect step; the collected value lands on the HubSpot contact, the conversation is
 * routed by the menu choice, every bot turn is on the thread and the HubSpot timeline.
 */
import { createMetaSimulator, type MetaSimulator } from '../../simulators/meta/index.js';
import type { Portal } from '../../simulators/hubspot/index.js';
import { CONSENT_BUTTON } from '../../src/consent/index.js';
import { TEST_SECRETS } from '../helpers/config.js';
import { startTestRuntime, type TestRuntime } from '../helpers/runtime.js';
import { signedRequest } from '../helpers/signed.js';
import { install, liveComms, newPortal, startSimulator, waitFor, type SimHandle } from '../hubspot/helpers.js';

const PNID = '106540352242922';
const WABA = '102290129340398';
const TOKEN = 'EAAtesttoken-0123456789-abcdefghij';
let rt: TestRuntime;
let sim: MetaSimulator;
let hubspot: SimHandle;
let portal: Portal;
let closeSim: () => Promise<void>;
let agents: { agentId: string; userId: number; name: string }[] = [];

const api = (method: 'GET' | 'PUT' | 'POST', path: string, body?: unknown) =>
  signedRequest(rt.app, {
    method,
    path,
    body,
    portalId: portal.portalId,
    userId: portal.users[0]!.userId,
    headers: method === 'GET' ? {} : { 'Idempotency-Key': `k-${Math.random().toString(36).slice(2)}` },
  });
const row = async (sql: string, params: unknown[]) => (await rt.db.query(sql, params)).rows[0];
const inbox = (wa: string) => sim.customer.inbox(wa);
const lastFromBot = (wa: string, n: number) => waitFor(async () => inbox(wa).length >= n && inbox(wa)[n - 1], `bot message ${n} to ${wa}`);
const bodyOf = (m: any): string => m.text ?? '';
const buttonsOf = (m: any): Array<{ id: string; title: string }> => (m.request as any).interactive.action.buttons.map((b: any) => b.reply);

async function consent(wa: string, name: string): Promise<void> {
  await sim.customer.sendText({ from: wa, to: PNID, name, text: 'Hola' });
  const prompt = await waitFor(async () => inbox(wa).find((m) => m.type === 'interactive'), 'consent prompt');
  await sim.customer.tapButton({ from: wa, to: PNID, replyToWamid: prompt.wamid, buttonId: CONSENT_BUTTON.accept, title: 'Acepto' });
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
  hubspot = await startSimulator();
  portal = newPortal(hubspot.sim);
  rt = await startTestRuntime({ env: { WHATSAPP_API_BASE_URL: server.url, HUBSPOT_API_BASE_URL: hubspot.url, HUBSPOT_AUTH_BASE_URL: hubspot.url } });
  const { url } = await rt.listen(0, '127.0.0.1');
  sim.setWebhookUrl(`${url}/webhooks/whatsapp`);
  expect((await install(rt, hubspot, portal)).callback.status).toBe(302);
  expect((await api('POST', '/api/v1/whatsapp-numbers', { phoneNumberId: PNID, wabaId: WABA, accessToken: TOKEN, label: 'Soporte' })).status).toBe(201);
  const owners = (await api('GET', '/api/v1/owners')).body.owners;
  const a = await api('PUT', '/api/v1/agents', { agents: owners.map((o: any) => ({ ...o, active: true, available: true, outOfOffice: [] })) });
  expect(a.status).toBe(200);
  agents = a.body.agents;
  const sales = agents.find((x) => x.userId === portal.users[1]!.userId)!;

  const s = (await api('GET', '/api/v1/settings')).body;
  const allDay = [{ from: '00:00', to: '23:59' }];
  const put = await api('PUT', '/api/v1/settings', {
    ...s,
    consent: { ...s.consent, policyUrl: 'https://acme.example/privacidad' },
    businessHours: { ...s.businessHours, weekly: { mon: allDay, tue: allDay, wed: allDay, thu: allDay, fri: allDay, sat: allDay, sun: allDay } },
    autoClose: { enabled: false },
    botFlow: {
      enabled: true,
      template: 'menu_and_company',
      maxRetries: 1,
      steps: [
        { type: 'greeting', text: { es: '¡Hola! Soy el asistente de Acme.', en: 'Hi! I am Acme’s assistant.' } },
        {
          type: 'menu',
          text: { es: '¿En qué te ayudamos?', en: 'How can we help?' },
          options: [
            { title: { es: 'Ventas', en: 'Sales' }, route: { to: 'agents', agentIds: [sales.agentId] } },
            { title: { es: 'Soporte', en: 'Support' }, route: { to: 'pool' } },
          ],
        },
        { type: 'collect', text: { es: '¿Cómo se llama tu empresa?', en: 'What is your company called?' }, field: 'company', property: 'company' },
      ],
    },
  });
  expect(put.status).toBe(200);
  expect(put.body.botFlow.steps[1].options[0].id).toBeTruthy();
});
afterAll(async () => {
  await rt?.close();
  await closeSim?.();
  await hubspot?.close();
});

describe('bot flow between consent and routing (F10)', () => {
  it('greets, asks the menu again after an unexpected answer, collects the company into HubSpot and routes by the choice', async () => {
    const wa = '573001110001';
    await consent(wa, 'Lucía Gómez');
    // consent prompt, consent thanks, greeting + menu
    const menu = await waitFor(async () => inbox(wa).find((m) => m.type === 'interactive' && /En qué te ayudamos/.test(bodyOf(m))), 'menu');
    expect(bodyOf(menu)).toContain('¡Hola! Soy el asistente de Acme.');
    expect(buttonsOf(menu).map((b) => b.title)).toEqual(['Ventas', 'Soporte']);
    const contact = await waitFor(() => row('SELECT * FROM contacts WHERE phone_e164 = $1', [`+${wa}`]), 'contact');
    const conv = await row('SELECT * FROM conversations WHERE contact_id = $1 ORDER BY id DESC LIMIT 1', [contact.id]);
    expect(conv).toMatchObject({ status: 'bot', assignee_agent_id: null });

    const before = inbox(wa).length;
    await sim.customer.sendText({ from: wa, to: PNID, text: 'quiero una pizza' });
    const again = await lastFromBot(wa, before + 1);
    expect(bodyOf(again)).toMatch(/No entendí tu respuesta[\s\S]*En qué te ayudamos/);

    const ventas = buttonsOf(again)[0]!;
    await sim.customer.tapButton({ from: wa, to: PNID, replyToWamid: again.wamid, buttonId: ventas.id, title: ventas.title });
    const ask = await lastFromBot(wa, before + 2);
    expect(bodyOf(ask)).toBe('¿Cómo se llama tu empresa?');
    await sim.customer.sendText({ from: wa, to: PNID, text: 'Comercial Andina SAS' });

    const routed = await waitFor(() => row(`SELECT * FROM conversations WHERE id = $1 AND status = 'open' AND assignee_agent_id IS NOT NULL`, [conv.id]), 'routed');
    const sales = agents.find((x) => x.userId === portal.users[1]!.userId)!;
    expect(String(routed.assignee_agent_id)).toBe(sales.agentId);

    const hsId = await waitFor(async () => (await row('SELECT hubspot_contact_id FROM contacts WHERE id = $1', [contact.id]))?.hubspot_contact_id, 'hubspot link');
    await waitFor(async () => portal.contacts.get(hsId)?.properties.company === 'Comercial Andina SAS', 'company property in HubSpot');

    // Every bot turn is on the thread (bot messages) and on the HubSpot timeline.
    const botTexts = (await rt.db.query(`SELECT text FROM messages WHERE conversation_id = $1 AND sender = 'bot' ORDER BY id`, [conv.id])).rows.map((r) => r.text);
    expect(botTexts.join('\n')).toMatch(/En qué te ayudamos[\s\S]*No entendí[\s\S]*Cómo se llama tu empresa/);
    const turns = (await rt.db.query(`SELECT detail FROM conversation_events WHERE conversation_id = $1 AND kind = 'bot_flow' ORDER BY id`, [conv.id])).rows;
    expect(turns.map((e) => e.detail.understood).filter(Boolean)).toEqual(['invalid', 'option', 'value']);
    await waitFor(async () => liveComms(portal).some((c) => String(c.properties.hs_communication_body ?? '').includes('Cómo se llama tu empresa')), 'bot turn on the timeline');
  });

  it('"asesor" at any step goes straight to routing', async () => {
    const wa = '573001110002';
    await consent(wa, 'Mario Ruiz');
    await waitFor(async () => inbox(wa).find((m) => m.type === 'interactive' && /En qué te ayudamos/.test(bodyOf(m))), 'menu');
    await sim.customer.sendText({ from: wa, to: PNID, text: 'Asesor' });
    const contact = await waitFor(() => row('SELECT * FROM contacts WHERE phone_e164 = $1', [`+${wa}`]), 'contact');
    const conv = await waitFor(() => row(`SELECT * FROM conversations WHERE contact_id = $1 AND status = 'open' AND assignee_agent_id IS NOT NULL`, [contact.id]), 'routed');
    expect(conv).toBeTruthy();
    await waitFor(async () => inbox(wa).some((m) => /Te comunicamos con un asesor/.test(bodyOf(m))), 'told it is routed');
    const session = await row('SELECT state, route FROM bot_flow_sessions WHERE conversation_id = $1', [conv.id]);
    expect(session).toEqual({ state: 'done', route: { to: 'pool' } });
  });
});
