import { ManualClock } from '../../src/clock.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import { checkUsage, deliverNotices, setPlan } from '../../src/plans/index.js';
import { api, inbound, PN, PORTAL, seedContact, seedPortal } from '../conversations/helpers.js';
import { startReportsHarness, type ReportsHarness } from './helpers.js';

const T0 = new Date('2026-04-14T15:00:00.000Z'); // Tuesday 10:00 Bogotá

describe('plans and usage (F24)', () => {
  const clock = new ManualClock(T0);
  let h: ReportsHarness;
  let hs = 9000;
  const contact = () => seedContact(h.db, { consent: 'granted', hubspotId: String(++hs) });
  const template = (hubspotId: string) =>
    api(h, 'POST', `/api/v1/contacts/${hubspotId}/template-messages`, { body: { phoneNumberId: PN, templateName: 'hello', language: 'es', parameters: [] } });
  const usage = async () => (await api(h, 'GET', '/api/v1/usage')).body;

  beforeAll(async () => {
    h = await startReportsHarness({ clock });
    await seedPortal(h.db);
  });
  afterAll(async () => {
    await h.close();
  });

  it('the deployment default applies until the operator sets a plan; PLAN_* are validated at start-up', async () => {
    expect(await usage()).toEqual({
      period: { from: '2026-04-01', to: '2026-04-30' },
      plan: { name: 'Standard', activeContacts: null, seats: null },
      used: { activeContacts: 0, seats: 0 },
    });
    expect(loadConfig({ PLAN_SEATS: '1', PLAN_ACTIVE_CONTACTS: '500', PLAN_NAME: 'Starter' }).plan).toEqual({ name: 'Starter', activeContacts: 500, seats: 1 });
    expect(() => loadConfig({ PLAN_SEATS: 'two' })).toThrow(ConfigError);
    expect(() => loadConfig({ PLAN_SEATS: 'two' })).toThrow(/PLAN_SEATS/);
  });

  it('new contacts beyond the plan get PLAN_LIMIT; active ones and everything inbound go on; the admin hears at 80% and 100%', async () => {
    await setPlan(h.db.pool, PORTAL, { name: 'Starter', activeContacts: 5, seats: 2 });
    const writers = [await contact(), await contact(), await contact()];
    for (const c of writers) await inbound(h, c, { text: 'Hola' }, clock.now());
    expect((await usage()).used.activeContacts).toBe(3);

    const fourth = await contact();
    expect((await template(fourth.hubspot_contact_id!)).status).toBe(201); // 4 of 5: 80%
    const fifth = await contact();
    expect((await template(fifth.hubspot_contact_id!)).status).toBe(201); // 5 of 5: 100%
    const sixth = await contact();
    const refused = await template(sixth.hubspot_contact_id!);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('PLAN_LIMIT');
    expect(refused.body.error.message).toMatch(/includes 5 contacts per month/);
    expect(refused.body.error.message).toMatch(/keep replying to customers who write to you/);
    expect(refused.body.error.details).toEqual({ limit: 5, used: 5, resetsOn: '2026-05-01' });
    const sentBefore = h.fakes.sent.length;
    expect((await template(writers[0]!.hubspot_contact_id!)).status).toBe(201); // already active this month
    expect(h.fakes.sent.length).toBe(sentBefore + 1);

    // A new customer writing in is never dropped: stored, in a conversation, counted.
    const newcomer = await contact();
    await inbound(h, newcomer, { text: 'Buenas' }, clock.now());
    const conv = await h.db.query('SELECT status FROM conversations WHERE contact_id = $1', [newcomer.id]);
    expect(conv.rows[0]).toEqual({ status: 'open' });
    expect((await usage()).used.activeContacts).toBe(6);

    await checkUsage(h.rt.ctx, { notifyAdmin: async (n) => void h.notices.push(n) });
    expect(h.notices.map((n) => n.subject)).toEqual([
      "WhatsApp: 80% of the plan's contacts for 2026-04 are used",
      "WhatsApp: the plan's 5 contacts for 2026-04 are all used",
    ]);
    // Once per month and threshold.
    expect(await deliverNotices(h.db.pool, { notifyAdmin: async (n) => void h.notices.push(n) }, h.rt.ctx.logger)).toBe(0);
    await checkUsage(h.rt.ctx, { notifyAdmin: async (n) => void h.notices.push(n) });
    expect(h.notices).toHaveLength(2);
  });

  it('a failed notice stays pending and is delivered on the next pass', async () => {
    await setPlan(h.db.pool, PORTAL, { name: 'Starter', activeContacts: 5, seats: 2 });
    clock.set(new Date('2026-05-04T15:00:00.000Z'));
    for (let i = 0; i < 4; i++) await inbound(h, await contact(), { text: 'Hola' }, clock.now());
    await checkUsage(h.rt.ctx, { notifyAdmin: async () => Promise.reject(new Error('HubSpot is down')) });
    const got: string[] = [];
    await checkUsage(h.rt.ctx, { notifyAdmin: async (n) => void got.push(n.subject) });
    expect(got).toEqual(["WhatsApp: 80% of the plan's contacts for 2026-05 are used"]);
    clock.set(T0);
  });

  it('seats: more active agents than the plan is PLAN_LIMIT; within it (or fewer) is saved', async () => {
    await setPlan(h.db.pool, PORTAL, { name: 'Starter', activeContacts: null, seats: 2 });
    const agent = (i: number, active = true) => ({ ownerId: String(900 + i), userId: 100 + i, email: `a${i}@acme.co`, name: `Agent ${i}`, active, available: true });
    const three = await api(h, 'PUT', '/api/v1/agents', { body: { agents: [agent(1), agent(2), agent(3)] } });
    expect(three.status).toBe(409);
    expect(three.body.error).toMatchObject({ code: 'PLAN_LIMIT', details: { seats: 2, requested: 3, current: 0 } });
    expect(three.body.error.message).toMatch(/includes 2 agent seats, and this change would make 3 agents active/);
    expect((await api(h, 'PUT', '/api/v1/agents', { body: { agents: [agent(1), agent(2), agent(3, false)] } })).status).toBe(200);
    expect((await usage()).used.seats).toBe(2);
    // Over the plan after the operator lowered it: editing without adding a seat is still allowed.
    await setPlan(h.db.pool, PORTAL, { name: 'Starter', activeContacts: null, seats: 1 });
    expect((await api(h, 'PUT', '/api/v1/agents', { body: { agents: [agent(1), agent(2)] } })).status).toBe(200);
  });
});
