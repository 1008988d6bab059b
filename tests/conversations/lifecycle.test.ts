import { ManualClock } from '../../src/clock.js';
import { CONTACT_PROPERTIES as P } from '../../src/hubspot/index.js';
import { AppError } from '../../src/errors.js';
import { SYSTEM_LABELS } from '../../src/settings/index.js';
import {
  api,
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
} from './helpers.js';

// Monday 2026-03-30 10:00 Bogotá (UTC-5).
const T0 = new Date('2026-03-30T15:00:00.000Z');
const H = 3_600_000;

describe('conversation lifecycle, window and actions (F4, F13, F14, F17)', () => {
  const clock = new ManualClock(T0);
  let h: Harness;
  let agents: number[];
  let hs = 5000;

  beforeAll(async () => {
    h = await startHarness({ clock });
    await seedPortal(h.db);
    agents = await seedAgents(h.db, 2);
  });
  afterAll(async () => {
    await h.close();
  });
  beforeEach(() => clock.set(T0));

  const consented = async () => seedContact(h.db, { consent: 'granted', hubspotId: String(++hs) });

  it('open → pending on the agent reply → open on the customer reply (task to the agent) → resolved with a label', async () => {
    const c = await consented();
    await inbound(h, c, { text: 'hola' }, T0);
    let [conv] = await conversationOf(h.db, c.id);
    expect(conv).toMatchObject({ status: 'open', assignee_agent_id: agents[0] });
    expect(conv!.window_expires_at!.toISOString()).toBe(new Date(T0.getTime() + 24 * H).toISOString());

    clock.set(T0.getTime() + 60_000);
    const reply = await api(h, 'POST', `/api/v1/contacts/${c.hubspot_contact_id}/messages`, { userId: 101, body: { text: '¡Hola! ¿En qué te ayudo?' } });
    expect(reply.status).toBe(201);
    expect(reply.body.message).toMatchObject({ direction: 'out', type: 'text', status: 'accepted', sentBy: 'Agent 1', text: '¡Hola! ¿En qué te ayudo?' });
    [conv] = await conversationOf(h.db, c.id);
    expect(conv).toMatchObject({ status: 'pending' });
    expect(conv!.first_response_at).not.toBeNull();

    await inbound(h, c, { text: 'quiero el plan premium' }, new Date(T0.getTime() + 120_000));
    [conv] = await conversationOf(h.db, c.id);
    expect(conv).toMatchObject({ status: 'open' });
    expect(h.fakes.tasks.filter((t) => t.conversationId === conv!.id).map((t) => t.kind)).toEqual(['assigned', 'customer_reply']);
    expect(h.fakes.tasks.at(-1)!.body).toContain('quiero el plan premium');

    const noLabel = await api(h, 'POST', `/api/v1/conversations/${conv!.id}/resolve`, { body: { label: 'Whatever' } });
    expect(noLabel.status).toBe(422);
    expect(noLabel.body.error).toMatchObject({ code: 'VALIDATION', details: { label: expect.any(String) } });
    const done = await api(h, 'POST', `/api/v1/conversations/${conv!.id}/resolve`, { body: { label: 'resolved' } });
    expect(done.status).toBe(200);
    expect(done.body.conversation).toMatchObject({ id: String(conv!.id), status: 'resolved', label: 'Resolved' });

    // A new message on a resolved conversation starts a new one, routed again (round robin: agent 2).
    await inbound(h, c, { text: 'otra cosa' }, new Date(T0.getTime() + 3600_000));
    const all = await conversationOf(h.db, c.id);
    expect(all.map((x) => [x.status, x.assignee_agent_id])).toEqual([
      ['resolved', agents[0]],
      ['open', agents[1]],
    ]);
  });

  it('window: a free-form reply 23 h after the customer wrote goes out; at 25 h it is refused with WINDOW_CLOSED without calling Meta', async () => {
    const c = await consented();
    await inbound(h, c, { text: 'hola' }, new Date(T0.getTime() - 23 * H)); // Meta timestamp 23 h old
    const agentSends = () => h.fakes.sent.filter((s) => s.sender === 'agent').length;
    const sent = agentSends();
    const ok = await api(h, 'POST', `/api/v1/contacts/${c.hubspot_contact_id}/messages`, { userId: 102, body: { text: 'sigo aquí' } });
    expect(ok.status).toBe(201);
    expect(agentSends()).toBe(sent + 1);

    const d = await consented();
    await inbound(h, d, { text: 'hola' }, new Date(T0.getTime() - 25 * H)); // 25 h old
    const before = agentSends();
    const late = await api(h, 'POST', `/api/v1/contacts/${d.hubspot_contact_id}/messages`, { userId: 102, body: { text: '¿sigues ahí?' } });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('WINDOW_CLOSED');
    expect(late.body.error.message).toMatch(/The 24-hour window closed at .*Send a template/);
    expect(agentSends()).toBe(before);

    // Templates are always allowed to a consented contact: it goes out and the conversation waits on the customer.
    const tpl = await api(h, 'POST', `/api/v1/contacts/${d.hubspot_contact_id}/template-messages`, {
      userId: 102,
      body: { phoneNumberId: PN, templateName: 'order_update', language: 'es_CO', parameters: ['Ana', '#1234'] },
    });
    expect(tpl.status).toBe(201);
    expect(tpl.body.message).toMatchObject({ type: 'template', templateName: 'order_update', direction: 'out' });
    expect(tpl.body.conversation).toMatchObject({ status: 'pending', phoneNumberId: PN });
    expect(h.fakes.sent.at(-1)!.content).toEqual({ kind: 'template', name: 'order_update', language: 'es_CO', parameters: ['Ana', '#1234'] });
  });

  it('GET conversation: contact state, latest conversation, thread newest last, paging', async () => {
    const c = await consented();
    for (let i = 0; i < 5; i++) await inbound(h, c, { text: `m${i}` }, new Date(T0.getTime() + i * 1000));
    const page1 = await api(h, 'GET', `/api/v1/contacts/${c.hubspot_contact_id}/conversation`, { query: { limit: 3 } });
    expect(page1.status).toBe(200);
    expect(page1.body.contact).toEqual({ waId: c.wa_id, phone: c.phone_e164, consent: 'granted', optedOut: false });
    expect(page1.body.conversation).toMatchObject({ status: 'open', phoneNumberId: PN, urgent: false, label: null, assignee: { name: expect.any(String) } });
    expect(page1.body.messages.map((m: { text: string }) => m.text)).toEqual(['m2', 'm3', 'm4']);
    expect(page1.body.messages[0]).toMatchObject({ direction: 'in', status: null, error: null, media: null, sentBy: null, type: 'text' });
    const page2 = await api(h, 'GET', `/api/v1/contacts/${c.hubspot_contact_id}/conversation`, { query: { before: page1.body.nextCursor, limit: 3 } });
    expect(page2.body.messages.map((m: { text: string }) => m.text)).toEqual(['m0', 'm1']);
    expect(page2.body.nextCursor).toBeNull();

    const bad = await api(h, 'GET', `/api/v1/contacts/${c.hubspot_contact_id}/conversation`, { query: { before: 'nope' } });
    expect(bad.status).toBe(422);
    const unknown = await api(h, 'GET', `/api/v1/contacts/999999/conversation`);
    expect(unknown.body).toEqual({ contact: { waId: null, phone: null, consent: 'unknown', optedOut: false }, conversation: null, messages: [], nextCursor: null });
    h.fakes.hubspotContacts.set('888888', null);
    expect((await api(h, 'GET', `/api/v1/contacts/888888/conversation`)).status).toBe(404);
    // another portal sees nothing of ours
    await h.db.query(`INSERT INTO portals (id) VALUES (778) ON CONFLICT DO NOTHING`);
    const other = await api(h, 'GET', `/api/v1/contacts/${c.hubspot_contact_id}/conversation`, { portalId: 778 });
    expect(other.body.conversation).toBeNull();
  });

  it('opt-out keyword: confirmed once, every business-initiated send refused with OPTED_OUT; START opts back in', async () => {
    const c = await consented();
    await inbound(h, c, { text: 'hola' }, T0);
    await inbound(h, c, { text: 'STOP' }, new Date(T0.getTime() + 1000));
    await inbound(h, c, { text: 'baja' }, new Date(T0.getTime() + 2000));
    const row = (await h.db.query('SELECT opted_out FROM contacts WHERE id = $1', [c.id])).rows[0];
    expect(row.opted_out).toBe(true);
    await waitFor(() => h.fakes.sent.some((s) => s.contactId === c.id && s.content.kind === 'text' && s.content.text.startsWith('Listo, no te enviaremos')));
    await new Promise((r) => setTimeout(r, 300));
    expect(h.fakes.sent.filter((s) => s.contactId === c.id && s.content.kind === 'text' && s.content.text.startsWith('Listo, no te enviaremos'))).toHaveLength(1);
    expect(h.fakes.properties.at(-1)!.properties).toMatchObject({ [P.consent]: 'granted', [P.optedOut]: true });

    const tpl = await api(h, 'POST', `/api/v1/contacts/${c.hubspot_contact_id}/template-messages`, {
      body: { phoneNumberId: PN, templateName: 'order_update', language: 'es_CO', parameters: ['Ana', '#1'] },
    });
    expect(tpl.status).toBe(409);
    expect(tpl.body.error.code).toBe('OPTED_OUT');
    const txt = await api(h, 'POST', `/api/v1/contacts/${c.hubspot_contact_id}/messages`, { body: { text: 'hola' } });
    expect(txt.body.error.code).toBe('OPTED_OUT');

    await inbound(h, c, { text: 'Start' }, new Date(T0.getTime() + 3000));
    expect((await h.db.query('SELECT opted_out FROM contacts WHERE id = $1', [c.id])).rows[0].opted_out).toBe(false);
    expect((await api(h, 'POST', `/api/v1/contacts/${c.hubspot_contact_id}/messages`, { body: { text: 'hola de nuevo' } })).status).toBe(201);
  });

  it('templates need consent: NO_CONSENT for a contact without it; NOT_FOUND for a number of another account', async () => {
    const c = await seedContact(h.db, { hubspotId: String(++hs) });
    const r = await api(h, 'POST', `/api/v1/contacts/${c.hubspot_contact_id}/template-messages`, {
      body: { phoneNumberId: PN, templateName: 'order_update', language: 'es_CO', parameters: [] },
    });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('NO_CONSENT');
    const d = await consented();
    const n = await api(h, 'POST', `/api/v1/contacts/${d.hubspot_contact_id}/template-messages`, {
      body: { phoneNumberId: '000', templateName: 'order_update', language: 'es_CO', parameters: [] },
    });
    expect(n.status).toBe(404);
    // a contact still with the bot: free-form refused with NO_CONSENT
    const e = await seedContact(h.db, { hubspotId: String(++hs) });
    await inbound(h, e, { text: 'hola' }, T0);
    expect((await api(h, 'POST', `/api/v1/contacts/${e.hubspot_contact_id}/messages`, { body: { text: 'hola' } })).body.error.code).toBe('NO_CONSENT');
  });

  it('assign by hand and transfer with a message about the expected wait (F14)', async () => {
    await h.db.query(`UPDATE agents SET available = false WHERE portal_id = $1`, [PORTAL]);
    const c = await consented();
    await inbound(h, c, { text: 'hola' }, T0);
    const [conv] = await conversationOf(h.db, c.id);
    expect(conv!.assignee_agent_id).toBeNull();
    await h.db.query(`UPDATE agents SET available = true WHERE portal_id = $1`, [PORTAL]);

    // a HubSpot user who is neither an agent nor the admin may not assign
    expect((await api(h, 'POST', `/api/v1/conversations/${conv!.id}/assign`, { userId: 555, body: { agentId: String(agents[0]) } })).status).toBe(403);
    const mine = await api(h, 'POST', `/api/v1/conversations/${conv!.id}/assign`, { userId: 101, body: { agentId: String(agents[0]) } });
    expect(mine.status).toBe(200);
    expect(mine.body.conversation.assignee).toEqual({ agentId: String(agents[0]), ownerId: '901', name: 'Agent 1' });
    expect((await api(h, 'POST', `/api/v1/conversations/${conv!.id}/assign`, { body: { agentId: '999999' } })).status).toBe(404);

    const same = await api(h, 'POST', `/api/v1/conversations/${conv!.id}/transfer`, { userId: 101, body: { agentId: String(agents[0]) } });
    expect(same.status).toBe(422);
    expect(same.body.error.details.agentId).toBe('same agent');

    const t = await api(h, 'POST', `/api/v1/conversations/${conv!.id}/transfer`, { userId: 101, body: { agentId: String(agents[1]) } });
    expect(t.status).toBe(200);
    expect(t.body.conversation.assignee.agentId).toBe(String(agents[1]));
    expect(t.body.customerMessage.text).toMatch(/Te estamos comunicando con Agent 2.*Tiempo de espera estimado: unos \d+ minutos/);
    expect(h.fakes.tasks.at(-1)).toMatchObject({ conversationId: conv!.id, kind: 'transferred', ownerId: '902' });

    const custom = await api(h, 'POST', `/api/v1/conversations/${conv!.id}/transfer`, { userId: 102, body: { agentId: String(agents[0]), message: 'Te paso con facturación' } });
    expect(custom.body.customerMessage).toMatchObject({ text: 'Te paso con facturación', sentBy: 'Agent 2' });

    await h.db.query(`UPDATE agents SET active = false WHERE id = $1`, [agents[1]]);
    const inactive = await api(h, 'POST', `/api/v1/conversations/${conv!.id}/transfer`, { userId: 101, body: { agentId: String(agents[1]) } });
    expect(inactive.body.error).toMatchObject({ code: 'VALIDATION', details: { agentId: 'inactive' } });
    await h.db.query(`UPDATE agents SET active = true WHERE id = $1`, [agents[1]]);

    // window closed: the transfer happens, the customer message is skipped without an error
    clock.set(T0.getTime() + 25 * H);
    const late = await api(h, 'POST', `/api/v1/conversations/${conv!.id}/transfer`, { userId: 101, body: { agentId: String(agents[1]) } });
    expect(late.status).toBe(200);
    expect(late.body.customerMessage).toBeNull();
  });

  it('replays a repeated Idempotency-Key: one WhatsApp message, same answer', async () => {
    const c = await consented();
    await inbound(h, c, { text: 'hola' }, T0);
    const before = h.fakes.sent.length;
    const first = await api(h, 'POST', `/api/v1/contacts/${c.hubspot_contact_id}/messages`, { key: 'k-123', body: { text: 'una vez' } });
    const again = await api(h, 'POST', `/api/v1/contacts/${c.hubspot_contact_id}/messages`, { key: 'k-123', body: { text: 'una vez' } });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(h.fakes.sent.length).toBe(before + 1);
  });

  it('a Meta error from the sender reaches the card as is (e.g. UNDELIVERABLE)', async () => {
    const c = await consented();
    await inbound(h, c, { text: 'hola' }, T0);
    h.fakes.failNext = new AppError(422, 'UNDELIVERABLE', 'This number is not on WhatsApp');
    const r = await api(h, 'POST', `/api/v1/contacts/${c.hubspot_contact_id}/messages`, { body: { text: 'x' } });
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('UNDELIVERABLE');
  });

  it('a 131047 failure marks the window closed whatever the clock says', async () => {
    const c = await consented();
    await inbound(h, c, { text: 'hola' }, T0);
    const [conv] = await conversationOf(h.db, c.id);
    const m = await h.db.query(
      `INSERT INTO messages (portal_id, contact_id, conversation_id, phone_number_id, direction, type, text, status, sender, sent_at, error)
       VALUES ($1, $2, $3, $4, 'out', 'text', 'x', 'failed', 'agent', $5, '{"code":131047,"title":"Re-engagement message","message":"More than 24 hours"}') RETURNING id`,
      [PORTAL, c.id, conv!.id, PN, T0],
    );
    await h.rt.ctx.events.emit('message.status', { messageId: Number(m.rows[0].id), status: 'failed' });
    await waitFor(async () => (await conversationOf(h.db, c.id))[0]!.window_expires_at!.getTime() <= T0.getTime());
    const r = await api(h, 'POST', `/api/v1/contacts/${c.hubspot_contact_id}/messages`, { body: { text: 'x' } });
    expect(r.body.error.code).toBe('WINDOW_CLOSED');
  });

  it('system labels are never offered for resolving', async () => {
    const s = await patchSettings(h, (x) => x);
    expect(s.resolutionLabels).not.toContain(SYSTEM_LABELS.endOfDay);
  });
});
