import { ManualClock } from '../../src/clock.js';
import { CONSENT_BUTTON, consentHistory } from '../../src/consent/index.js';
import { CONTACT_PROPERTIES as P } from '../../src/hubspot/index.js';
import { SYSTEM_LABELS } from '../../src/settings/index.js';
import {
  conversationOf,
  inbound,
  patchSettings,
  PN,
  PORTAL,
  seedAgents,
  seedContact,
  seedPortal,
  startHarness,
  waitFor,
  type Harness,
} from '../conversations/helpers.js';

// Monday 2026-03-30 10:00 in Bogotá (UTC-5): inside the default business hours.
const T0 = new Date('2026-03-30T15:00:00.000Z');
const min = (n: number) => new Date(T0.getTime() + n * 60_000);

describe('consent bot (F8)', () => {
  const clock = new ManualClock(T0);
  let h: Harness;
  let agents: number[];

  beforeAll(async () => {
    h = await startHarness({ clock });
    await seedPortal(h.db);
    agents = await seedAgents(h.db, 2);
    await patchSettings(h, (s) => ({ ...s, consent: { ...s.consent, policyUrl: 'https://acme.example/privacidad' } }));
  });
  afterAll(async () => {
    await h.close();
  });

  const sentTo = (contactId: number) => h.fakes.sent.filter((s) => s.contactId === contactId);

  it('greets a new customer with the consent text as accept/decline buttons; accept opens and routes the conversation', async () => {
    const c = await seedContact(h.db);
    const first = await inbound(h, c, { text: 'Hola, quiero información del plan' }, min(0));
    const second = await inbound(h, c, { text: 'y el precio?' }, min(1));

    const [conv] = await conversationOf(h.db, c.id);
    expect(conv).toMatchObject({ status: 'bot', assignee_agent_id: null, consent_version: 1, consent_language: 'es' });
    const prompt = await waitFor(() => sentTo(c.id).find((s) => s.content.kind === 'interactive_buttons'));
    expect(prompt.sender).toBe('bot');
    expect(prompt.content).toMatchObject({
      kind: 'interactive_buttons',
      buttons: [
        { id: CONSENT_BUTTON.accept, title: 'Acepto' },
        { id: CONSENT_BUTTON.decline, title: 'No acepto' },
      ],
    });
    const body = (prompt.content as { body: string }).body;
    expect(body).toContain('Acme SAS');
    expect(body).toContain('https://acme.example/privacidad');
    expect(body.length).toBeLessThanOrEqual(1024);
    // The second message while the bot waits is not an answer: a reminder, not an agent.
    await waitFor(() => sentTo(c.id).filter((s) => s.content.kind === 'interactive_buttons').length === 2);
    await waitFor(async () => (await conversationOf(h.db, c.id))[0]!.bot_prompt_message_id);

    const tap = await inbound(h, c, { buttonId: CONSENT_BUTTON.accept, title: 'Acepto' }, min(2));
    const [after] = await conversationOf(h.db, c.id);
    expect(after).toMatchObject({ status: 'open', assignee_agent_id: agents[0] });

    const contact = (await h.db.query('SELECT consent, consent_at FROM contacts WHERE id = $1', [c.id])).rows[0];
    expect(contact.consent).toBe('granted');
    expect(new Date(contact.consent_at).toISOString()).toBe(min(2).toISOString());
    const [ev] = await consentHistory(h.db.pool, PORTAL, c.id);
    const promptRow = (await h.db.query('SELECT wamid FROM messages WHERE id = $1', [after!.bot_prompt_message_id])).rows[0];
    const tapRow = (await h.db.query('SELECT wamid FROM messages WHERE id = $1', [tap])).rows[0];
    expect(ev).toMatchObject({
      decision: 'granted',
      method: 'button',
      answer_message_id: tap,
      answer_wamid: tapRow.wamid,
      prompt_wamid: promptRow.wamid,
      text_version: 1,
      text_language: 'es',
      phone_number_id: PN,
      customer_phone: c.phone_e164,
    });
    expect(ev!.text_shown).toContain('https://acme.example/privacidad');

    // Mirrored to HubSpot, and the agent's task lists the customer's first messages.
    expect(h.fakes.properties.at(-1)).toMatchObject({ portalId: PORTAL, contactId: c.id, properties: { [P.consent]: 'granted', [P.consentTextVersion]: '1', [P.optedOut]: false } });
    const task = h.fakes.tasks.find((t) => t.conversationId === after!.id && t.kind === 'assigned');
    expect(task).toMatchObject({ ownerId: '901' });
    expect(task!.body).toContain('Hola, quiero información del plan');
    expect(task!.body).toContain('y el precio?');
    // Every message of the bot phase belongs to the conversation the agent sees.
    const msgs = await h.db.query('SELECT id FROM messages WHERE conversation_id = $1 AND direction = $2 ORDER BY id', [after!.id, 'in']);
    expect(msgs.rows.map((r) => Number(r.id))).toEqual([first, second, tap]);
    await waitFor(() => sentTo(c.id).some((s) => s.content.kind === 'text' && s.content.text.startsWith('¡Gracias!')));
  });

  it('decline: recorded, answered politely, resolved with a system label, no agent', async () => {
    const c = await seedContact(h.db);
    await inbound(h, c, { text: 'buenas' }, min(10));
    await inbound(h, c, { buttonId: CONSENT_BUTTON.decline, title: 'No acepto' }, min(11));
    const [conv] = await conversationOf(h.db, c.id);
    expect(conv).toMatchObject({ status: 'resolved', label: SYSTEM_LABELS.consentDeclined, assignee_agent_id: null });
    expect((await h.db.query('SELECT consent FROM contacts WHERE id = $1', [c.id])).rows[0].consent).toBe('declined');
    expect((await consentHistory(h.db.pool, PORTAL, c.id)).map((e) => e.decision)).toEqual(['declined']);
    expect(h.fakes.tasks.filter((t) => t.contactId === c.id)).toEqual([]);
    await waitFor(() => sentTo(c.id).some((s) => s.content.kind === 'text' && s.content.text.startsWith('Entendido')));
  });

  it('free text is asked again; a typed "sí" counts as accept', async () => {
    const c = await seedContact(h.db);
    await inbound(h, c, { text: 'hola' }, min(20));
    await inbound(h, c, { text: '¿qué es esto?' }, min(21));
    expect((await conversationOf(h.db, c.id))[0]).toMatchObject({ status: 'bot', bot_attempts: 2 });
    await inbound(h, c, { text: 'Sí' }, min(22));
    expect((await conversationOf(h.db, c.id))[0]).toMatchObject({ status: 'open' });
    expect((await consentHistory(h.db.pool, PORTAL, c.id))[0]).toMatchObject({ decision: 'granted', method: 'text', answer_text: 'Sí' });
  });

  it('typed "no acepto" declines; the bot gives up politely after a bounded number of prompts', async () => {
    const a = await seedContact(h.db);
    await inbound(h, a, { text: 'hola' }, min(30));
    await inbound(h, a, { text: 'No acepto.' }, min(31));
    expect((await conversationOf(h.db, a.id))[0]).toMatchObject({ status: 'resolved', label: SYSTEM_LABELS.consentDeclined });

    const b = await seedContact(h.db);
    await inbound(h, b, { text: 'hola' }, min(40));
    await inbound(h, b, { text: 'quiero un asesor' }, min(41));
    await inbound(h, b, { text: 'asesor por favor' }, min(42));
    expect((await conversationOf(h.db, b.id))[0]).toMatchObject({ status: 'bot', bot_attempts: 3 });
    await inbound(h, b, { text: 'ASESOR' }, min(43));
    expect((await conversationOf(h.db, b.id))[0]).toMatchObject({ status: 'resolved', label: SYSTEM_LABELS.consentNoAnswer, assignee_agent_id: null });
    expect((await h.db.query('SELECT consent FROM contacts WHERE id = $1', [b.id])).rows[0].consent).toBe('unknown');
    await waitFor(() => sentTo(b.id).filter((s) => s.content.kind === 'interactive_buttons').length === 3);
    // Writing again later: the bot asks again (no consent yet).
    await inbound(h, b, { text: 'hola otra vez' }, min(50));
    expect((await conversationOf(h.db, b.id)).map((x) => x.status)).toEqual(['resolved', 'bot']);
  });

  it('a contact who consented never meets the bot again on that portal', async () => {
    const c = await seedContact(h.db);
    await inbound(h, c, { text: 'hola' }, min(60));
    await inbound(h, c, { buttonId: CONSENT_BUTTON.accept, title: 'Acepto' }, min(61));
    const [conv] = await conversationOf(h.db, c.id);
    await h.svc.actions.resolve({ portalId: PORTAL, userId: 101 }, String(conv!.id), { label: 'Resolved' });
    const promptsBefore = sentTo(c.id).filter((s) => s.content.kind === 'interactive_buttons').length;

    await inbound(h, c, { text: 'tengo otra pregunta' }, min(90));
    const all = await conversationOf(h.db, c.id);
    expect(all.map((x) => x.status)).toEqual(['resolved', 'open']);
    expect(all[1]!.assignee_agent_id).not.toBeNull();
    await new Promise((r) => setTimeout(r, 300));
    expect(sentTo(c.id).filter((s) => s.content.kind === 'interactive_buttons').length).toBe(promptsBefore);
  });

  it('speaks the portal language to a customer from a country without its own (Brazil): English text and buttons', async () => {
    await patchSettings(h, (s) => ({ ...s, consent: { ...s.consent, language: 'en' } }));
    try {
      const c = await seedContact(h.db, { waId: '5511987650001' });
      await inbound(h, c, { text: 'hello' }, min(100));
      const prompt = await waitFor(() => sentTo(c.id).find((s) => s.content.kind === 'interactive_buttons'));
      expect(prompt.content).toMatchObject({ buttons: [{ title: 'I accept' }, { title: 'I decline' }] });
      expect((prompt.content as { body: string }).body).toContain('Privacy policy: https://acme.example/privacidad');
      await inbound(h, c, { text: 'yes' }, min(101));
      expect((await conversationOf(h.db, c.id))[0]!.status).toBe('open');
    } finally {
      await patchSettings(h, (s) => ({ ...s, consent: { ...s.consent, language: 'es' } }));
    }
  });

  it("speaks the customer's language when their number's country has it (+1 → English on a Spanish portal)", async () => {
    const us = await seedContact(h.db, { waId: '14155550101' });
    await inbound(h, us, { text: 'hi there' }, min(105));
    const prompt = await waitFor(() => sentTo(us.id).find((s) => s.content.kind === 'interactive_buttons'));
    expect(prompt.content).toMatchObject({ buttons: [{ title: 'I accept' }, { title: 'I decline' }] });
    const co = await seedContact(h.db, { waId: '573001110001' });
    await inbound(h, co, { text: 'hola' }, min(106));
    const promptCo = await waitFor(() => sentTo(co.id).find((s) => s.content.kind === 'interactive_buttons'));
    expect(promptCo.content).toMatchObject({ buttons: [{ title: 'Acepto' }, { title: 'No acepto' }] });
  });

  it('handles a redelivered message once', async () => {
    const c = await seedContact(h.db);
    const id = await inbound(h, c, { text: 'hola' }, min(110));
    await h.svc.handleInbound(id);
    await h.svc.handleInbound(id);
    const [conv] = await conversationOf(h.db, c.id);
    expect(conv!.bot_attempts).toBe(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(sentTo(c.id).filter((s) => s.content.kind === 'interactive_buttons')).toHaveLength(1);
  });
});
