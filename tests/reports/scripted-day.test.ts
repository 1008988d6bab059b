import request from 'supertest';
import { ManualClock } from '../../src/clock.js';
import { api, inbound, PN, PN2, PORTAL, seedAgents, seedContact, seedPortal } from '../conversations/helpers.js';
import type { ContactRow } from '../../src/contacts/contacts-repo.js';
import { parseCsv, startReportsHarness, type ReportsHarness } from './helpers.js';

// Bogotá is UTC-5 all year; business hours are the defaults: Monday–Friday 08:00–18:00.
const bog = (day: string, hhmm: string) => new Date(`${day}T${hhmm}-05:00`);
const MON = '2026-03-30';
const TUE = '2026-03-31';
const WED = '2026-04-01';

/**
 * The scripted day (times in Bogotá; "writes" is Meta's timestamp of the customer's message):
 *  C1 writes 07:30 (before hours), agent 1 answers 08:10, resolves 08:30 "Resolved".
 *  C2 writes 09:00 but Meta delivers it at 09:05; agent 1 answers 09:10; transferred to agent 2 at 09:20; open.
 *  C3 writes 10:00 and is never answered.
 *  C4 writes 17:50 on the second number; agent 1 answers 18:20 (after hours), resolves 18:30 "Not interested".
 *  C5 writes Tuesday 09:00; agent 1 answers 09:01, resolves 09:31. C6 writes Wednesday (outside the range).
 */
describe('reports: a scripted day, every figure to the second (F23)', () => {
  const clock = new ManualClock(bog(MON, '07:00'));
  let h: ReportsHarness;
  let a1: number;
  let a2: number;
  let hs = 7000;
  const ids: Record<string, number> = {};
  const contacts: Record<string, ContactRow> = {};

  const at = (day: string, hhmm: string) => clock.set(bog(day, hhmm));
  const convOf = async (c: ContactRow) => Number((await h.db.query<{ id: number }>('SELECT id FROM conversations WHERE contact_id = $1', [c.id])).rows[0]!.id);
  const write = async (name: string, day: string, hhmm: string, pn = PN) => {
    contacts[name] = await seedContact(h.db, { consent: 'granted', hubspotId: String(++hs) });
    await inbound(h, contacts[name]!, { text: `Hola, soy ${name}` }, bog(day, hhmm), pn);
    ids[name] = await convOf(contacts[name]!);
  };
  const reply = async (name: string, agentUser: number) => {
    const r = await api(h, 'POST', `/api/v1/contacts/${contacts[name]!.hubspot_contact_id}/messages`, { userId: agentUser, body: { text: 'Con gusto te ayudo' } });
    expect(r.status).toBe(201);
  };
  const resolve = async (name: string, label: string) => {
    const r = await api(h, 'POST', `/api/v1/conversations/${ids[name]}/resolve`, { userId: 101, body: { label } });
    expect(r.status).toBe(200);
  };

  beforeAll(async () => {
    h = await startReportsHarness({ clock });
    await seedPortal(h.db, { numbers: [PN, PN2] });
    [a1, a2] = await seedAgents(h.db, 2);
    await h.db.query('UPDATE agents SET available = false WHERE id = $1', [a2]); // everything routes to agent 1

    at(MON, '07:30');
    await write('C1', MON, '07:30');
    at(MON, '08:10');
    await reply('C1', 101);
    at(MON, '08:30');
    await resolve('C1', 'Resolved');

    at(MON, '09:05'); // Meta held the 09:00 message five minutes
    await write('C2', MON, '09:00');
    at(MON, '09:10');
    await reply('C2', 101);
    at(MON, '09:20');
    expect((await api(h, 'POST', `/api/v1/conversations/${ids.C2}/transfer`, { body: { agentId: String(a2) } })).status).toBe(200);

    at(MON, '10:00');
    await write('C3', MON, '10:00');

    at(MON, '17:50');
    await write('C4', MON, '17:50', PN2);
    at(MON, '18:20');
    await reply('C4', 101);
    at(MON, '18:30');
    await resolve('C4', 'Not interested');

    at(TUE, '09:00');
    await write('C5', TUE, '09:00');
    at(TUE, '09:01');
    await reply('C5', 101);
    at(TUE, '09:31');
    await resolve('C5', 'Resolved');

    at(WED, '09:00');
    await write('C6', WED, '09:00');
    at(WED, '12:00');
  });
  afterAll(async () => {
    await h.close();
  });

  const report = async (query: Record<string, string>) => {
    const r = await api(h, 'GET', '/api/v1/reports/conversations', { query });
    expect(r.status).toBe(200);
    return r.body;
  };

  it('totals, per agent and per day, wall clock and business hours', async () => {
    const r = await report({ from: MON, to: TUE });
    expect(r.range).toEqual({ from: MON, to: TUE, timeZone: 'America/Bogota' });
    expect(r.totals).toEqual({
      conversations: 5, open: 2, resolved: 3, answered: 4, unanswered: 1,
      // (2400 + 600 + 1800 + 60) / 4; business hours: (600 + 600 + 600 + 60) / 4
      avgFirstResponseSeconds: 1215, avgFirstResponseBusinessSeconds: 465,
      avgResolutionSeconds: 2620, // (3600 + 2400 + 1860) / 3
    });
    expect(r.byAgent).toEqual([
      { agentId: String(a1), ownerId: '901', name: 'Agent 1', conversations: 4, open: 1, resolved: 3, answered: 3, unanswered: 1,
        avgFirstResponseSeconds: 1420, avgFirstResponseBusinessSeconds: 420, avgResolutionSeconds: 2620 },
      // C2 belongs to whoever holds it now; its first response (09:00 → 09:10) was agent 1's, counted from Meta's 09:00
      { agentId: String(a2), ownerId: '902', name: 'Agent 2', conversations: 1, open: 1, resolved: 0, answered: 1, unanswered: 0,
        avgFirstResponseSeconds: 600, avgFirstResponseBusinessSeconds: 600, avgResolutionSeconds: null },
    ]);
    expect(r.byDay).toEqual([
      { date: MON, conversations: 4, open: 2, resolved: 2, answered: 3, unanswered: 1,
        avgFirstResponseSeconds: 1600, avgFirstResponseBusinessSeconds: 600, avgResolutionSeconds: 3000 },
      { date: TUE, conversations: 1, open: 0, resolved: 1, answered: 1, unanswered: 0,
        avgFirstResponseSeconds: 60, avgFirstResponseBusinessSeconds: 60, avgResolutionSeconds: 1860 },
    ]);
  });

  it('filters by number and by agent; a day without conversations shows zeros', async () => {
    const byNumber = await report({ from: MON, to: MON, phoneNumberId: PN2 });
    expect(byNumber.totals).toEqual({ conversations: 1, open: 0, resolved: 1, answered: 1, unanswered: 0,
      avgFirstResponseSeconds: 1800, avgFirstResponseBusinessSeconds: 600, avgResolutionSeconds: 2400 });
    const byAgent = await report({ from: MON, to: WED, agentId: String(a2) });
    expect(byAgent.totals.conversations).toBe(1);
    expect(byAgent.byDay.map((d: { conversations: number }) => d.conversations)).toEqual([1, 0, 0]);
    const empty = await report({ from: '2026-03-01', to: '2026-03-02' });
    expect(empty.totals).toEqual({ conversations: 0, open: 0, resolved: 0, answered: 0, unanswered: 0,
      avgFirstResponseSeconds: null, avgFirstResponseBusinessSeconds: null, avgResolutionSeconds: null });
    expect(empty.byAgent).toEqual([]);
  });

  it('refuses a bad range with a clear 422', async () => {
    const r = await api(h, 'GET', '/api/v1/reports/conversations', { query: { from: TUE, to: MON } });
    expect(r.status).toBe(422);
    expect(r.body.error).toMatchObject({ code: 'VALIDATION', details: { to: `must be on or after ${TUE}` } });
    const missing = await api(h, 'GET', '/api/v1/reports/conversations', { query: { from: 'yesterday' } });
    expect(missing.status).toBe(422);
    expect(Object.keys(missing.body.error.details)).toEqual(expect.arrayContaining(['from', 'to']));
  });

  it('the CSV: one row per conversation, BOM, ISO dates, the Spanish separator; the link works once', async () => {
    const created = await api(h, 'POST', '/api/v1/reports/exports', { body: { from: MON, to: TUE, idempotencyKey: 'k-1' } });
    expect(created.status).toBe(201);
    expect(new Date(created.body.expiresAt).getTime() - clock.now().getTime()).toBeLessThanOrEqual(15 * 60_000);
    const path = new URL(created.body.url).pathname;
    const res = await request(h.rt.app).get(path).buffer(true).parse((r, cb) => {
      let s = '';
      r.setEncoding('utf8');
      r.on('data', (c: string) => (s += c));
      r.on('end', () => cb(null, s));
    });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    const text = res.body as string;
    expect(text.charCodeAt(0)).toBe(0xfeff);
    const [header, ...rows] = parseCsv(text, ';');
    expect(header).toEqual(['conversation_id', 'contact', 'contact_phone', 'number', 'agent', 'status', 'label', 'started', 'first_response',
      'resolved', 'first_response_seconds', 'first_response_business_seconds', 'resolution_seconds', 'messages_in', 'messages_out']);
    const byId = new Map(rows.map((r) => [Number(r[0]), r]));
    expect(rows).toHaveLength(5);
    const phone = (n: string) => contacts[n]!.phone_e164;
    const name = (n: string) => contacts[n]!.profile_name;
    expect(byId.get(ids.C1!)).toEqual([String(ids.C1), name('C1'), phone('C1'), 'Customer Support', 'Agent 1', 'resolved', 'Resolved',
      '2026-03-30T07:30:00-05:00', '2026-03-30T08:10:00-05:00', '2026-03-30T08:30:00-05:00', '2400', '600', '3600', '1', '1']);
    expect(byId.get(ids.C2!)).toEqual([String(ids.C2), name('C2'), phone('C2'), 'Customer Support', 'Agent 2', 'pending', '',
      '2026-03-30T09:00:00-05:00', '2026-03-30T09:10:00-05:00', '', '600', '600', '', '1', '2']);
    expect(byId.get(ids.C3!)).toEqual([String(ids.C3), name('C3'), phone('C3'), 'Customer Support', 'Agent 1', 'open', '',
      '2026-03-30T10:00:00-05:00', '', '', '', '', '', '1', '0']);
    expect(byId.get(ids.C4!)).toEqual([String(ids.C4), name('C4'), phone('C4'), 'Customer Success', 'Agent 1', 'resolved', 'Not interested',
      '2026-03-30T17:50:00-05:00', '2026-03-30T18:20:00-05:00', '2026-03-30T18:30:00-05:00', '1800', '600', '2400', '1', '1']);
    expect(byId.get(ids.C5!)).toEqual([String(ids.C5), name('C5'), phone('C5'), 'Customer Support', 'Agent 1', 'resolved', 'Resolved',
      '2026-03-31T09:00:00-05:00', '2026-03-31T09:01:00-05:00', '2026-03-31T09:31:00-05:00', '60', '60', '1860', '1', '1']);

    const again = await request(h.rt.app).get(path);
    expect(again.status).toBe(410);
    expect(again.body.error.code).toBe('EXPORT_EXPIRED');
  });

  it('an English user gets commas; a link older than its lifetime is refused', async () => {
    const created = await api(h, 'POST', '/api/v1/reports/exports', { body: { from: TUE, to: TUE, agentId: String(a1), language: 'en-us' } });
    const path = new URL(created.body.url).pathname;
    const res = await request(h.rt.app).get(path);
    const [header, ...rows] = parseCsv(res.text, ',');
    expect(header![0]).toBe('conversation_id');
    expect(rows.map((r) => Number(r[0]))).toEqual([ids.C5]);

    const late = await api(h, 'POST', '/api/v1/reports/exports', { body: { from: MON, to: TUE } });
    clock.advance(15 * 60_000);
    expect((await request(h.rt.app).get(new URL(late.body.url).pathname)).status).toBe(410);
  });

  it('a message delivered late by Meta counts from when the customer wrote it', async () => {
    const ev = await h.db.query<{ kind: string; value_seconds: number | null; at: Date }>(
      `SELECT kind, value_seconds, at FROM reporting_events WHERE conversation_id = $1 ORDER BY id`,
      [ids.C2],
    );
    expect(ev.rows.map((e) => e.kind)).toEqual(['opened', 'routed', 'first_reply', 'transferred']);
    expect(ev.rows[0]!.at.toISOString()).toBe(bog(MON, '09:00').toISOString());
    expect(ev.rows[2]!.value_seconds).toBe(600);
  });

  it('the event log holds one event per change of the day (opened, routed, first reply, transfer, resolution)', async () => {
    const kinds = await h.db.query<{ kind: string; n: string }>(
      `SELECT kind, count(*) AS n FROM reporting_events WHERE portal_id = $1 GROUP BY kind ORDER BY kind`,
      [PORTAL],
    );
    expect(Object.fromEntries(kinds.rows.map((k) => [k.kind, Number(k.n)]))).toEqual({
      first_reply: 4, opened: 6, resolved: 3, routed: 6, transferred: 1,
    });
  });
});
