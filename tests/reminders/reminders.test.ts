/**
 * Issue 15 (F7) with a fake clock: the reminder after the agent's last message and the out-of-hours
 * notice before the window closes, once per conversation and period across two instances.
 */
import { ManualClock } from '../../src/clock.js';
import { ReminderService } from '../../src/reminders/index.js';
import { upsertTemplate } from '../../src/templates/repo.js';
import { api, conversationOf, inbound, patchSettings, seedAgents, seedContact, seedPortal, startHarness, type Harness } from '../conversations/helpers.js';

const MIN = 60_000;
/** A Bogotá wall-clock time (UTC-5) as an instant. */
const bog = (iso: string) => new Date(`${iso}-05:00`);

describe('reminders and out-of-hours notices (F7)', () => {
  const clock = new ManualClock(bog('2026-03-30T10:00:00')); // a Monday
  let h: Harness;
  let one: ReminderService;
  let two: ReminderService;
  let hs = 0;

  beforeAll(async () => {
    h = await startHarness({ clock });
    await seedPortal(h.db);
    await seedAgents(h.db, 1);
    const body = (text: string, ex: string[]) => [{ type: 'BODY', text, example: { body_text: [ex] } }];
    await upsertTemplate(h.db.pool, 'WABA1', { name: 'seguimiento', language: 'es', status: 'APPROVED', components: body('Hola {{1}}, ¿seguimos con tu caso?', ['Ana']) }, clock.now());
    await upsertTemplate(
      h.db.pool,
      'WABA1',
      { name: 'fuera_de_horario', language: 'es', status: 'APPROVED', components: body('Hola {{1}}, {{2}} te responde {{3}}. Escríbenos si quieres seguir.', ['Ana', 'Acme', 'el lunes']) },
      clock.now(),
    );
    await patchSettings(h, (s) => ({
      ...s,
      consent: { ...s.consent, policyUrl: 'https://acme.example/privacidad' },
      autoClose: { enabled: false },
      reminder: { enabled: true, afterMinutes: 24 * 60, templateName: 'seguimiento', language: 'es' },
      outOfHoursNotice: { enabled: true, templateName: 'fuera_de_horario', language: 'es' },
    }));
    // Two app instances on the same database.
    const deps = { db: h.db, clock, logger: h.rt.ctx.logger, settings: (p: number) => h.rt.services.settings.get(p), send: (r: any) => h.fakes.send(r) };
    one = new ReminderService(deps);
    two = new ReminderService(deps);
  });
  afterAll(async () => {
    await h.close();
  });

  const templatesTo = (contactId: number, name: string) => h.fakes.sent.filter((s) => s.contactId === contactId && s.content.kind === 'template' && s.content.name === name);
  const events = async (conversationId: number, kind: string) =>
    (await h.db.query('SELECT * FROM conversation_events WHERE conversation_id = $1 AND kind = $2', [conversationId, kind])).rows;

  async function waitingConversation() {
    const c = await seedContact(h.db, { consent: 'granted', hubspotId: `hs-${++hs}` });
    await inbound(h, c, { text: 'hola, necesito ayuda con mi pedido' }, clock.now());
    clock.advance(5 * MIN);
    const reply = await api(h, 'POST', `/api/v1/contacts/${c.hubspot_contact_id}/messages`, { userId: 101, body: { text: '¿Me envías el número de pedido?' } });
    expect(reply.status).toBe(201);
    const conv = (await conversationOf(h.db, c.id)).at(-1)!;
    return { c, conv };
  }

  it('fires once at afterMinutes, on one of two instances, marked on the thread', async () => {
    clock.set(bog('2026-03-30T10:00:00'));
    const { c, conv } = await waitingConversation();
    clock.advance(24 * 60 * MIN - 1 * MIN);
    expect(await one.runReminders()).toEqual([]);
    clock.advance(1 * MIN);
    const [a, b] = await Promise.all([one.runReminders(), two.runReminders()]);
    expect([...a, ...b]).toEqual([conv.id]);
    const sent = templatesTo(c.id, 'seguimiento');
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ sender: 'system', conversationId: conv.id, content: { parameters: [c.profile_name!.split(' ')[0]] } });
    expect(await events(conv.id, 'reminder_sent')).toHaveLength(1);
    clock.advance(60 * MIN);
    expect([...(await one.runReminders()), ...(await two.runReminders())]).toEqual([]);
    expect(templatesTo(c.id, 'seguimiento')).toHaveLength(1);
  });

  it('does not fire when the customer answered first', async () => {
    clock.set(bog('2026-03-31T10:00:00'));
    const { c } = await waitingConversation();
    clock.advance(60 * MIN);
    await inbound(h, c, { text: 'es el 4521' }, clock.now());
    clock.advance(25 * 60 * MIN);
    await one.runReminders();
    expect(templatesTo(c.id, 'seguimiento')).toHaveLength(0);
  });

  it('does not fire after a resolve, nor to an opted-out contact', async () => {
    clock.set(bog('2026-04-01T10:00:00'));
    const resolved = await waitingConversation();
    const res = await api(h, 'POST', `/api/v1/conversations/${resolved.conv.id}/resolve`, { body: { label: 'Resolved' } });
    expect(res.status).toBe(200);
    const optedOut = await waitingConversation();
    await h.db.query('UPDATE contacts SET opted_out = true WHERE id = $1', [optedOut.c.id]);
    clock.advance(25 * 60 * MIN);
    await Promise.all([one.runReminders(), two.runReminders()]);
    expect(templatesTo(resolved.c.id, 'seguimiento')).toHaveLength(0);
    expect(templatesTo(optedOut.c.id, 'seguimiento')).toHaveLength(0);
  });

  it('out-of-hours notice: a Saturday-morning message for a team that opens Monday gets it before the window closes, once', async () => {
    const c = await seedContact(h.db, { consent: 'granted', hubspotId: `hs-${++hs}` });
    clock.set(bog('2026-04-04T09:00:00')); // Saturday; the window closes Sunday 09:00, the team is back Monday 08:00
    await inbound(h, c, { text: 'hola, ¿me ayudan con una devolución?' }, clock.now());
    const conv = (await conversationOf(h.db, c.id)).at(-1)!;

    clock.set(bog('2026-04-05T07:59:00')); // 61 minutes before it closes: not yet
    expect(await one.runOutOfHoursNotices()).toEqual([]);
    clock.set(bog('2026-04-05T08:00:00'));
    const [a, b] = await Promise.all([one.runOutOfHoursNotices(), two.runOutOfHoursNotices()]);
    expect([...a, ...b]).toEqual([conv.id]);
    const sent = templatesTo(c.id, 'fuera_de_horario');
    expect(sent).toHaveLength(1);
    expect((sent[0]!.content as any).parameters).toEqual([c.profile_name!.split(' ')[0], 'Acme SAS', 'mañana a las 08:00']);
    expect(await events(conv.id, 'out_of_hours_notice_sent')).toHaveLength(1);
    clock.set(bog('2026-04-05T08:30:00'));
    expect(await one.runOutOfHoursNotices()).toEqual([]);
  });

  it('no notice when the team is back before the window closes', async () => {
    const c = await seedContact(h.db, { consent: 'granted', hubspotId: `hs-${++hs}` });
    clock.set(bog('2026-04-12T10:00:00')); // Sunday: the window closes Monday 10:00, the team is in at 08:00
    await inbound(h, c, { text: 'hola' }, clock.now());
    clock.set(bog('2026-04-13T09:30:00'));
    expect(await one.runOutOfHoursNotices()).toEqual([]);
    expect(templatesTo(c.id, 'fuera_de_horario')).toHaveLength(0);
  });

  it('the settings API keeps and validates the reminder and notice', async () => {
    const got = (await api(h, 'GET', '/api/v1/settings')).body;
    expect(got.reminder).toEqual({ enabled: true, afterMinutes: 1440, templateName: 'seguimiento', language: 'es' });
    const bad = await api(h, 'PUT', '/api/v1/settings', { body: { ...got, reminder: { enabled: true, afterMinutes: 0, templateName: null, language: 'es' } } });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details).toMatchObject({ 'reminder.afterMinutes': expect.any(String), 'reminder.templateName': expect.any(String) });
    const { reminder: _r, outOfHoursNotice: _o, botFlow: _b, ...withoutAdditions } = got;
    const kept = await api(h, 'PUT', '/api/v1/settings', { body: withoutAdditions });
    expect(kept.status).toBe(200);
    expect(kept.body.reminder.templateName).toBe('seguimiento');
  });
});
