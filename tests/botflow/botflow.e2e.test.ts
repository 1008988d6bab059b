/**
 * Issue 15 (F10) end to end through both simulators: consent, then a bot flow with a greeting, a
 * menu and a collect step; the collected value lands on the HubSpot contact, the conversation is
 * routed by the menu choice, every bot turn is on the thread and the HubSpot timeline.
 */
import { liveComms, waitFor } from '../hubspot/helpers.js';
import { PNID, startBotWorld, type BotWorld } from './helpers.js';

let w: BotWorld;
const inbox = (wa: string) => w.inbox(wa);
const row = (sql: string, params: unknown[]) => w.row(sql, params);
const lastFromBot = (wa: string, n: number) => w.nth(wa, n);
const bodyOf = (m: any): string => m.text ?? '';
const buttonsOf = (m: any): Array<{ id: string; title: string }> => (m.request as any).interactive.action.buttons.map((b: any) => b.reply);

beforeAll(async () => {
  w = await startBotWorld(({ sales }) => ({
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
  }));
  const s = (await w.api('GET', '/api/v1/settings')).body;
  expect(s.botFlow.steps[1].options[0].id).toBeTruthy();
});
afterAll(async () => {
  await w?.close();
});

describe('bot flow between consent and routing (F10)', () => {
  it('greets, asks the menu again after an unexpected answer, collects the company into HubSpot and routes by the choice', async () => {
    const wa = '573001110001';
    await w.consent(wa, 'Lucía Gómez');
    // consent prompt, consent thanks, greeting + menu
    const menu = await waitFor(async () => inbox(wa).find((m) => m.type === 'interactive' && /En qué te ayudamos/.test(bodyOf(m))), 'menu');
    expect(bodyOf(menu)).toContain('¡Hola! Soy el asistente de Acme.');
    expect(buttonsOf(menu).map((b) => b.title)).toEqual(['Ventas', 'Soporte']);
    const contact = await waitFor(() => row('SELECT * FROM contacts WHERE phone_e164 = $1', [`+${wa}`]), 'contact');
    const conv = await row('SELECT * FROM conversations WHERE contact_id = $1 ORDER BY id DESC LIMIT 1', [contact.id]);
    expect(conv).toMatchObject({ status: 'bot', assignee_agent_id: null });

    const before = inbox(wa).length;
    await w.sim.customer.sendText({ from: wa, to: PNID, text: 'quiero una pizza' });
    const again = await lastFromBot(wa, before + 1);
    expect(bodyOf(again)).toMatch(/No entendí tu respuesta[\s\S]*En qué te ayudamos/);

    const ventas = buttonsOf(again)[0]!;
    await w.sim.customer.tapButton({ from: wa, to: PNID, replyToWamid: again.wamid, buttonId: ventas.id, title: ventas.title });
    const ask = await lastFromBot(wa, before + 2);
    expect(bodyOf(ask)).toBe('¿Cómo se llama tu empresa?');
    await w.sim.customer.sendText({ from: wa, to: PNID, text: 'Comercial Andina SAS' });

    const routed = await waitFor(() => row(`SELECT * FROM conversations WHERE id = $1 AND status = 'open' AND assignee_agent_id IS NOT NULL`, [conv.id]), 'routed');
    expect(String(routed.assignee_agent_id)).toBe(w.sales.agentId);

    const hsId = await waitFor(async () => (await row('SELECT hubspot_contact_id FROM contacts WHERE id = $1', [contact.id]))?.hubspot_contact_id, 'hubspot link');
    await waitFor(async () => w.portal.contacts.get(hsId)?.properties.company === 'Comercial Andina SAS', 'company property in HubSpot');

    // Every bot turn is on the thread (bot messages) and on the HubSpot timeline.
    const botTexts = (await w.rt.db.query(`SELECT text FROM messages WHERE conversation_id = $1 AND sender = 'bot' ORDER BY id`, [conv.id])).rows.map((r) => r.text);
    expect(botTexts.join('\n')).toMatch(/En qué te ayudamos[\s\S]*No entendí[\s\S]*Cómo se llama tu empresa/);
    const turns = (await w.rt.db.query(`SELECT detail FROM conversation_events WHERE conversation_id = $1 AND kind = 'bot_flow' ORDER BY id`, [conv.id])).rows;
    expect(turns.map((e) => e.detail.understood).filter(Boolean)).toEqual(['invalid', 'option', 'value']);
    await waitFor(async () => liveComms(w.portal).some((c) => String(c.properties.hs_communication_body ?? '').includes('Cómo se llama tu empresa')), 'bot turn on the timeline');
  });

  it('"asesor" at any step goes straight to routing', async () => {
    const wa = '573001110002';
    await w.consent(wa, 'Mario Ruiz');
    await waitFor(async () => inbox(wa).find((m) => m.type === 'interactive' && /En qué te ayudamos/.test(bodyOf(m))), 'menu');
    await w.sim.customer.sendText({ from: wa, to: PNID, text: 'Asesor' });
    const contact = await waitFor(() => row('SELECT * FROM contacts WHERE phone_e164 = $1', [`+${wa}`]), 'contact');
    const conv = await waitFor(() => row(`SELECT * FROM conversations WHERE contact_id = $1 AND status = 'open' AND assignee_agent_id IS NOT NULL`, [contact.id]), 'routed');
    expect(conv).toBeTruthy();
    await waitFor(async () => inbox(wa).some((m) => /Te comunicamos con un asesor/.test(bodyOf(m))), 'told it is routed');
    const session = await row('SELECT state, route FROM bot_flow_sessions WHERE conversation_id = $1', [conv.id]);
    expect(session).toEqual({ state: 'done', route: { to: 'pool' } });
  });
});
