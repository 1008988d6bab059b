/**
 * Issue 15 (F10), the rest of it, end to end through both simulators: a menu of more than three
 * options goes out as an interactive list (Meta's simulator validates it like Meta), the customer's
 * `list_reply` routes by the chosen row, and a collect step fills a custom HubSpot contact property
 * the app creates in its own group.
 */
import { liveComms, waitFor } from '../hubspot/helpers.js';
import { PNID, startBotWorld, type BotWorld } from './helpers.js';

let w: BotWorld;
const listOf = (m: any) => (m.request as any).interactive;

beforeAll(async () => {
  w = await startBotWorld(({ sales }) => ({
    enabled: true,
    template: null,
    maxRetries: 1,
    steps: [
      { type: 'greeting', text: { es: '¡Hola! Soy el asistente de Acme.', en: 'Hi! I am Acme’s assistant.' } },
      {
        type: 'menu',
        text: { es: '¿Con qué equipo quieres hablar?', en: 'Which team do you want to talk to?' },
        options: [
          { title: { es: 'Soporte', en: 'Support' }, route: { to: 'pool' } },
          { title: { es: 'Facturación', en: 'Billing' }, route: { to: 'pool' } },
          { title: { es: 'Envíos', en: 'Shipping' }, route: { to: 'pool' } },
          { title: { es: 'Ventas empresas', en: 'Business sales' }, route: { to: 'agents', agentIds: [sales.agentId] } },
          { title: { es: 'Otro tema', en: 'Something else' }, route: { to: 'pool' } },
        ],
      },
      {
        type: 'collect',
        text: { es: '¿Cuál es tu número de pedido?', en: 'What is your order number?' },
        field: 'order_number',
        property: 'numero_pedido',
        propertyLabel: 'Número de pedido',
      },
    ],
  }));
});
afterAll(async () => {
  await w?.close();
});

describe('a bot flow menu as an interactive list, and a custom contact property (F10)', () => {
  it('sends the list, routes by the chosen row, creates the custom property in the app group and writes the order number', async () => {
    const wa = '573001120001';
    expect(w.portal.properties.has('numero_pedido')).toBe(false);
    await w.consent(wa, 'Lucía Gómez');

    const menu = await waitFor(async () => w.inbox(wa).find((m) => m.type === 'interactive' && listOf(m).type === 'list'), 'list menu');
    const list = listOf(menu);
    expect(list.body.text).toBe('¡Hola! Soy el asistente de Acme.\n\n¿Con qué equipo quieres hablar?');
    expect(list.action.button).toBe('Ver opciones');
    expect(list.action.sections).toHaveLength(1);
    expect(list.action.sections[0].rows.map((r: any) => r.title)).toEqual(['Soporte', 'Facturación', 'Envíos', 'Ventas empresas', 'Otro tema']);
    expect(menu.status).not.toBe('failed'); // Meta's simulator accepted it and delivered it

    const contact = await waitFor(() => w.row('SELECT * FROM contacts WHERE phone_e164 = $1', [`+${wa}`]), 'contact');
    const conv = await w.row('SELECT * FROM conversations WHERE contact_id = $1 ORDER BY id DESC LIMIT 1', [contact.id]);
    expect(conv).toMatchObject({ status: 'bot', assignee_agent_id: null });

    const before = w.inbox(wa).length;
    const row = list.action.sections[0].rows[3];
    await w.sim.customer.tapListItem({ from: wa, to: PNID, replyToWamid: menu.wamid, rowId: row.id });
    const ask = await w.nth(wa, before + 1);
    expect(ask.text).toBe('¿Cuál es tu número de pedido?');

    await w.sim.customer.sendText({ from: wa, to: PNID, text: 'no sé' });
    const again = await w.nth(wa, before + 2);
    expect(again.text).toMatch(/Escribe el número de pedido[\s\S]*Cuál es tu número de pedido/);
    await w.sim.customer.sendText({ from: wa, to: PNID, text: 'pedido #ab-4521' });

    // Routed by the chosen row (the 4th goes to the sales rep), not by the usual pool.
    const routed = await waitFor(() => w.row(`SELECT * FROM conversations WHERE id = $1 AND status = 'open' AND assignee_agent_id IS NOT NULL`, [conv.id]), 'routed');
    expect(String(routed.assignee_agent_id)).toBe(w.sales.agentId);
    const session = await w.row('SELECT answers, route FROM bot_flow_sessions WHERE conversation_id = $1', [conv.id]);
    expect(session.route).toEqual({ to: 'agents', agentIds: [w.sales.agentId] });

    // The custom property exists in HubSpot, in the app's group, and holds the validated value.
    const hsId = await waitFor(async () => (await w.row('SELECT hubspot_contact_id FROM contacts WHERE id = $1', [contact.id]))?.hubspot_contact_id, 'hubspot link');
    await waitFor(async () => w.portal.contacts.get(hsId)?.properties.numero_pedido === 'AB-4521', 'order number in HubSpot');
    expect(w.portal.properties.get('numero_pedido')).toMatchObject({ label: 'Número de pedido', groupName: 'whatsapp', type: 'string', fieldType: 'text' });

    // The customer's pick is on the thread and the timeline like any message.
    const pick = await w.row(`SELECT text, type FROM messages WHERE conversation_id = $1 AND direction = 'in' AND type = 'interactive' ORDER BY id DESC LIMIT 1`, [conv.id]);
    expect(pick).toEqual({ text: 'Ventas empresas', type: 'interactive' });
    const turns = (await w.rt.db.query(`SELECT detail FROM conversation_events WHERE conversation_id = $1 AND kind = 'bot_flow' ORDER BY id`, [conv.id])).rows;
    expect(turns.map((e) => e.detail.understood).filter(Boolean)).toEqual(['option', 'invalid', 'value']);
    await waitFor(async () => liveComms(w.portal).some((c) => String(c.properties.hs_communication_body ?? '').includes('Con qué equipo quieres hablar')), 'list menu on the timeline');
  });

  it('a customer who types the option’s number instead of opening the list is understood too', async () => {
    const wa = '573001120002';
    await w.consent(wa, 'Mario Ruiz');
    await waitFor(async () => w.inbox(wa).find((m) => m.type === 'interactive' && listOf(m).type === 'list'), 'list menu');
    const before = w.inbox(wa).length;
    await w.sim.customer.sendText({ from: wa, to: PNID, text: '2' });
    const ask = await w.nth(wa, before + 1);
    expect(ask.text).toBe('¿Cuál es tu número de pedido?');
    const contact = await waitFor(() => w.row('SELECT * FROM contacts WHERE phone_e164 = $1', [`+${wa}`]), 'contact');
    const session = await w.row('SELECT s.answers FROM bot_flow_sessions s JOIN conversations c ON c.id = s.conversation_id WHERE c.contact_id = $1', [contact.id]);
    expect(Object.values(session.answers)).toContain('2');
  });
});
