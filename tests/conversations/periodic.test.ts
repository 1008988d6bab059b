import { ManualClock } from '../../src/clock.js';
import { CONSENT_BUTTON } from '../../src/consent/index.js';
import { SYSTEM_LABELS } from '../../src/settings/index.js';
import { conversationOf, inbound, patchSettings, PORTAL, seedAgents, seedContact, seedPortal, startHarness, waitFor, type Harness } from './helpers.js';

const H = 3_600_000;
/** A Bogotá wall-clock time (UTC-5, no DST) as an instant. */
const bog = (iso: string) => new Date(`${iso}-05:00`);

describe('business hours, end of day, urgent window, rebalancing (F4, F12, F13, F16)', () => {
  const clock = new ManualClock(bog('2026-03-30T10:00:00'));
  let h: Harness;
  let agents: number[];

  beforeAll(async () => {
    h = await startHarness({ clock });
    await seedPortal(h.db);
    agents = await seedAgents(h.db, 2);
  });
  afterAll(async () => {
    await h.close();
  });

  const autoReplies = (contactId: number) =>
    h.fakes.sent.filter((s) => s.contactId === contactId && s.content.kind === 'text' && /fuera de nuestro horario/.test(s.content.text)).map(
      (s) => (s.content as { text: string }).text,
    );

  it('outside business hours: one automatic reply per closed period, saying when the team is back', async () => {
    const c = await seedContact(h.db, { consent: 'granted' });
    clock.set(bog('2026-04-04T10:00:00')); // Saturday
    await inbound(h, c, { text: 'hola, ¿atienden hoy?' }, clock.now());
    await waitFor(() => autoReplies(c.id).length === 1);
    expect(autoReplies(c.id)[0]).toContain('volvemos el lunes 6 de abril a las 08:00');

    clock.set(bog('2026-04-05T09:00:00')); // Sunday: the same closed period
    await inbound(h, c, { text: '¿hola?' }, clock.now());
    clock.set(bog('2026-04-06T08:30:00')); // Monday, open
    await inbound(h, c, { text: 'buenos días' }, clock.now());
    clock.set(bog('2026-04-06T19:00:00')); // Monday evening: a new closed period
    await inbound(h, c, { text: 'una cosa más' }, clock.now());
    await waitFor(() => autoReplies(c.id).length === 2);
    await h.rt.idle();
    expect(autoReplies(c.id)).toHaveLength(2);
    expect(autoReplies(c.id)[1]).toContain('volvemos mañana a las 08:00');
  });

  it('holidays count as closed', async () => {
    await patchSettings(h, (s) => ({ ...s, businessHours: { ...s.businessHours, holidays: ['2026-04-13'] } }));
    const c = await seedContact(h.db, { consent: 'granted' });
    clock.set(bog('2026-04-11T12:00:00')); // Saturday before the holiday Monday
    await inbound(h, c, { text: 'hola' }, clock.now());
    await waitFor(() => autoReplies(c.id).length === 1);
    expect(autoReplies(c.id)[0]).toContain('martes 14 de abril a las 08:00');
    await patchSettings(h, (s) => ({ ...s, businessHours: { ...s.businessHours, holidays: [] } }));
  });

  it('out of hours after consent: the thanks and the notice in one message', async () => {
    const c = await seedContact(h.db);
    clock.set(bog('2026-04-18T11:00:00')); // Saturday
    await inbound(h, c, { text: 'hola' }, clock.now());
    await inbound(h, c, { buttonId: CONSENT_BUTTON.accept, title: 'Acepto' }, clock.now());
    const text = await waitFor(() => h.fakes.sent.find((s) => s.contactId === c.id && s.content.kind === 'text'));
    expect((text.content as { text: string }).text).toMatch(/^¡Gracias! Registramos tu autorización\.\n\nGracias por escribirnos\. En este momento estamos fuera/);
  });

  it('end of the business day: assigned open conversations are resolved with a system label; tomorrow a new one is routed', async () => {
    await h.db.query(`UPDATE conversations SET status = 'resolved', label = 'Resolved' WHERE status <> 'resolved'`);
    clock.set(bog('2026-04-20T17:00:00')); // Monday
    const assigned = await seedContact(h.db, { consent: 'granted' });
    await inbound(h, assigned, { text: 'hola' }, clock.now());
    const withBot = await seedContact(h.db);
    await inbound(h, withBot, { text: 'hola' }, clock.now());
    await h.db.query('UPDATE agents SET available = false');
    const waiting = await seedContact(h.db, { consent: 'granted' });
    await inbound(h, waiting, { text: 'hola' }, clock.now());

    clock.set(bog('2026-04-20T17:59:00'));
    expect(await h.svc.closeEndOfDay(PORTAL)).toBe(0);
    clock.set(bog('2026-04-20T18:00:30'));
    // the periodic task (ticking every 50 ms in tests) closes it; running it again the same day does nothing
    await waitFor(async () => (await conversationOf(h.db, assigned.id))[0]!.status === 'resolved');
    expect((await conversationOf(h.db, assigned.id))[0]).toMatchObject({ label: SYSTEM_LABELS.endOfDay });
    expect(await h.svc.closeEndOfDay(PORTAL)).toBe(0);
    expect((await conversationOf(h.db, withBot.id))[0]!.status).toBe('bot');
    // the one waiting for an agent keeps its place in the queue
    expect((await conversationOf(h.db, waiting.id))[0]).toMatchObject({ status: 'open', assignee_agent_id: null });
    await h.db.query('UPDATE agents SET available = true');

    clock.set(bog('2026-04-21T09:00:00'));
    await inbound(h, assigned, { text: 'buenos días' }, clock.now());
    const all = await conversationOf(h.db, assigned.id);
    expect(all.map((x) => x.status)).toEqual(['resolved', 'open']);
    expect(all[1]!.assignee_agent_id).not.toBeNull();
  });

  it('end of day at a configured time, or not at all when disabled', async () => {
    await h.db.query(`UPDATE conversations SET status = 'resolved', label = 'Resolved' WHERE status <> 'resolved'`);
    await patchSettings(h, (s) => ({ ...s, autoClose: { enabled: true, at: '16:00' } }));
    clock.set(bog('2026-04-22T15:00:00')); // Wednesday
    const c = await seedContact(h.db, { consent: 'granted' });
    await inbound(h, c, { text: 'hola' }, clock.now());
    clock.set(bog('2026-04-22T16:01:00'));
    await waitFor(async () => (await conversationOf(h.db, c.id))[0]!.status === 'resolved');

    await patchSettings(h, (s) => ({ ...s, autoClose: { enabled: false } }));
    clock.set(bog('2026-04-23T10:00:00'));
    const d = await seedContact(h.db, { consent: 'granted' });
    await inbound(h, d, { text: 'hola' }, clock.now());
    clock.set(bog('2026-04-23T18:30:00'));
    expect(await h.svc.closeEndOfDay(PORTAL)).toBe(0);
    expect((await conversationOf(h.db, d.id))[0]!.status).toBe('open');
    await patchSettings(h, (s) => ({ ...s, autoClose: { enabled: true } }));
  });

  it('urgent window: flagged within windowAlertMinutes and the agent gets a task', async () => {
    await h.db.query(`UPDATE conversations SET status = 'resolved', label = 'Resolved' WHERE status <> 'resolved'`);
    clock.set(bog('2026-04-27T10:00:00'));
    const soon = await seedContact(h.db, { consent: 'granted' });
    await inbound(h, soon, { text: 'hola' }, new Date(clock.now().getTime() - 22.5 * H)); // window ends in 1.5 h
    const later = await seedContact(h.db, { consent: 'granted' });
    await inbound(h, later, { text: 'hola' }, new Date(clock.now().getTime() - 20 * H)); // ends in 4 h
    await h.svc.flagUrgent(PORTAL); // (the periodic task may have done it already)
    const [conv] = await conversationOf(h.db, soon.id);
    expect(conv).toMatchObject({ urgent: true });
    expect(h.fakes.tasks.filter((t) => t.conversationId === conv!.id && t.kind === 'urgent_window')).toHaveLength(1);
    expect((await conversationOf(h.db, later.id))[0]!.urgent).toBe(false);
    expect(await h.svc.flagUrgent(PORTAL)).toBe(0); // flagged once

    // the customer writes again: the window moves and the flag clears
    await inbound(h, soon, { text: 'sigo aquí' }, clock.now());
    expect((await conversationOf(h.db, soon.id))[0]!.urgent).toBe(false);
  });

  it('an agent going out of office hands their open conversations over at the next periodic pass', async () => {
    await h.db.query(`UPDATE conversations SET status = 'resolved', label = 'Resolved' WHERE status <> 'resolved'`);
    clock.set(bog('2026-04-28T10:00:00'));
    const c = await seedContact(h.db, { consent: 'granted' });
    await inbound(h, c, { text: 'hola' }, clock.now());
    const [conv] = await conversationOf(h.db, c.id);
    const holder = conv!.assignee_agent_id!;
    const other = agents.find((a) => a !== holder)!;
    await h.db.query(`UPDATE agents SET out_of_office = '[{"from":"2026-04-29","to":"2026-05-03"}]' WHERE id = $1`, [holder]);
    expect(await h.svc.rebalance(PORTAL)).toBe(0); // not yet
    clock.set(bog('2026-04-29T08:05:00'));
    // The periodic pass (every 50 ms here) may be handing it over at this very moment: a drain
    // skips the rows another drain holds, so wait for the hand-over rather than for our own call.
    await h.svc.rebalance(PORTAL);
    await waitFor(async () => Number((await conversationOf(h.db, c.id))[0]!.assignee_agent_id) === other, 'the hand-over to the other agent');
    await h.db.query(`UPDATE agents SET out_of_office = '[]'`);
  });
});
