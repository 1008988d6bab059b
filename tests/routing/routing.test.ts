import { ManualClock } from '../../src/clock.js';
import type { Database } from '../../src/db/database.js';
import { testDatabase } from '../helpers/db.js';
import {
  conversationOf,
  inbound,
  patchSettings,
  PN,
  PN2,
  PORTAL,
  seedAgents,
  seedContact,
  seedPortal,
  startHarness,
  storeInbound,
  waitFor,
  type Harness,
} from '../conversations/helpers.js';

// Monday 2026-03-30 10:00 Bogotá.
const T0 = new Date('2026-03-30T15:00:00.000Z');
const sec = (n: number) => new Date(T0.getTime() + n * 1000);

async function perAgent(db: Database, agentIds: number[]): Promise<number[]> {
  const r = await db.query<{ a: number; n: number }>(
    `SELECT assignee_agent_id AS a, count(*)::int AS n FROM conversations WHERE portal_id = $1 AND status <> 'resolved' GROUP BY 1`,
    [PORTAL],
  );
  const m = new Map(r.rows.map((x) => [Number(x.a), x.n]));
  return agentIds.map((id) => m.get(id) ?? 0);
}

async function resolveAll(db: Database): Promise<void> {
  await db.query(`UPDATE conversations SET status = 'resolved', label = 'Resolved' WHERE portal_id = $1 AND status <> 'resolved'`, [PORTAL]);
}

describe('round-robin fairness on two instances sharing one database (F11)', () => {
  const clock = new ManualClock(T0);
  let db: Database;
  let a: Harness;
  let b: Harness;
  let agents: number[];

  beforeAll(async () => {
    db = await testDatabase();
    a = await startHarness({ clock, db });
    b = await startHarness({ clock, db });
    await seedPortal(db);
    agents = await seedAgents(db, 3);
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    await db.close();
  });

  it('30 conversations arriving at the same instant on two instances → 10/10/10', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 30; i++) ids.push(await storeInbound(db, await seedContact(db, { consent: 'granted' }), { text: `hola ${i}` }, T0));
    await Promise.all(ids.map((id, i) => (i % 2 ? a : b).svc.handleInbound(id)));
    expect(await perAgent(db, agents)).toEqual([10, 10, 10]);
  });

  it('the same through the durable message.inbound jobs of both instances', async () => {
    await resolveAll(db);
    const ids: number[] = [];
    for (let i = 0; i < 30; i++) ids.push(await storeInbound(db, await seedContact(db, { consent: 'granted' }), { text: `hi ${i}` }, T0));
    await Promise.all(ids.map((messageId, i) => (i % 2 ? a : b).rt.ctx.events.emit('message.inbound', { messageId, portalId: PORTAL })));
    await waitFor(async () => (await db.query(`SELECT count(*)::int AS n FROM inbound_handled WHERE message_id = ANY($1::bigint[])`, [ids])).rows[0].n === 30, 30_000);
    expect(await perAgent(db, agents)).toEqual([10, 10, 10]);
  });

  it('an agent marked away gets none', async () => {
    await resolveAll(db);
    await db.query('UPDATE agents SET available = false WHERE id = $1', [agents[1]]);
    const ids: number[] = [];
    for (let i = 0; i < 30; i++) ids.push(await storeInbound(db, await seedContact(db, { consent: 'granted' }), { text: `x ${i}` }, T0));
    await Promise.all(ids.map((id, i) => (i % 2 ? a : b).svc.handleInbound(id)));
    expect(await perAgent(db, agents)).toEqual([15, 0, 15]);
    await db.query('UPDATE agents SET available = true WHERE id = $1', [agents[1]]);
  });

  it('an agent out of office today gets none', async () => {
    await resolveAll(db);
    await db.query(`UPDATE agents SET out_of_office = '[{"from":"2026-03-28","to":"2026-03-30"}]' WHERE id = $1`, [agents[2]]);
    for (let i = 0; i < 4; i++) await inbound(a, await seedContact(db, { consent: 'granted' }), { text: `y ${i}` }, T0);
    expect(await perAgent(db, agents)).toEqual([2, 2, 0]);
    await db.query(`UPDATE agents SET out_of_office = '[]' WHERE id = $1`, [agents[2]]);
  });

  it('with nobody available conversations wait unassigned, then go out in arrival order when an agent is back', async () => {
    await resolveAll(db);
    await db.query('UPDATE agents SET available = false WHERE portal_id = $1', [PORTAL]);
    const contacts = [];
    for (let i = 0; i < 6; i++) contacts.push(await seedContact(db, { consent: 'granted' }));
    // Arrival times 0..5 s, handled in scrambled order (ids no longer follow arrival).
    const order = [3, 0, 5, 1, 4, 2];
    for (const i of order) await inbound(i % 2 ? a : b, contacts[i]!, { text: `espera ${i}` }, sec(i));
    const waiting = await db.query(`SELECT id, assignee_agent_id, waiting_since FROM conversations WHERE portal_id = $1 AND status = 'open'`, [PORTAL]);
    expect(waiting.rows).toHaveLength(6);
    expect(waiting.rows.every((r) => r.assignee_agent_id === null)).toBe(true);

    await db.query('UPDATE agents SET available = true WHERE id = ANY($1::bigint[])', [[agents[0], agents[1]]]);
    expect(await a.svc.drain(PORTAL)).toBe(6);
    const assigned = await db.query<{ contact_id: number; agent_id: number }>(
      `SELECT c.contact_id, e.agent_id FROM conversation_events e JOIN conversations c ON c.id = e.conversation_id
       WHERE e.kind = 'assigned' AND c.status = 'open' AND c.portal_id = $1 ORDER BY e.id`,
      [PORTAL],
    );
    expect(assigned.rows.map((r) => Number(r.contact_id))).toEqual(contacts.map((c) => c.id));
    expect(await perAgent(db, agents)).toEqual([3, 3, 0]);
    await db.query('UPDATE agents SET available = true WHERE portal_id = $1', [PORTAL]);
  });
});

describe('routing methods (F11)', () => {
  const clock = new ManualClock(T0);
  let h: Harness;
  let agents: number[];

  beforeAll(async () => {
    h = await startHarness({ clock });
    await seedPortal(h.db, { numbers: [PN, PN2] });
    agents = await seedAgents(h.db, 3);
  });
  afterAll(async () => {
    await h.close();
  });
  beforeEach(async () => {
    await h.db.query(`UPDATE conversations SET status = 'resolved', label = 'Resolved' WHERE status <> 'resolved'`);
    await h.db.query(`UPDATE agents SET available = true, number_ids = '{}'`);
  });

  const route = async (o: { pn?: string; contact?: Awaited<ReturnType<typeof seedContact>> } = {}) => {
    const c = o.contact ?? (await seedContact(h.db, { consent: 'granted' }));
    await inbound(h, c, { text: 'hola' }, clock.now(), o.pn ?? PN);
    const convs = await conversationOf(h.db, c.id);
    return { contact: c, conv: convs.at(-1)! };
  };

  it('contact owner first: the HubSpot owner when available, else the fallback method', async () => {
    await patchSettings(h, (s) => ({ ...s, routing: { ...s.routing, method: 'contact_owner' } }));
    const c = await seedContact(h.db, { consent: 'granted' });
    h.fakes.contactOwners.set(c.id, '903');
    expect((await route({ contact: c })).conv.assignee_agent_id).toBe(agents[2]);

    await h.db.query('UPDATE conversations SET status = $2 WHERE contact_id = $1', [c.id, 'resolved']);
    await h.db.query('UPDATE agents SET available = false WHERE id = $1', [agents[2]]);
    const again = (await route({ contact: c })).conv;
    expect(again.assignee_agent_id).not.toBe(agents[2]);
    expect(again.assignee_agent_id).not.toBeNull();
  });

  it('least open conversations', async () => {
    await patchSettings(h, (s) => ({ ...s, routing: { ...s.routing, method: 'round_robin' } }));
    // agent 1: 2 open, agent 2: 0, agent 3: 1
    const loads = [agents[0], agents[0], agents[2]];
    for (const ag of loads) {
      const { conv } = await route();
      await h.db.query('UPDATE conversations SET assignee_agent_id = $2 WHERE id = $1', [conv.id, ag]);
    }
    await patchSettings(h, (s) => ({ ...s, routing: { ...s.routing, method: 'least_open' } }));
    expect((await route()).conv.assignee_agent_id).toBe(agents[1]);
    // now 2/1/1: the next goes to agent 2 or 3, never agent 1
    expect([agents[1], agents[2]]).toContain((await route()).conv.assignee_agent_id);
  });

  it('last agent who handled the contact, within the configured number of days', async () => {
    await patchSettings(h, (s) => ({ ...s, routing: { ...s.routing, method: 'last_agent', lastAgentDays: 7 } }));
    const c = await seedContact(h.db, { consent: 'granted' });
    await h.db.query(
      `INSERT INTO messages (portal_id, contact_id, phone_number_id, direction, type, text, status, sender, agent_id, sent_at)
       VALUES ($1, $2, $3, 'out', 'text', 'hola', 'delivered', 'agent', $4, $5)`,
      [PORTAL, c.id, PN, agents[2], new Date(T0.getTime() - 3 * 86_400_000)],
    );
    expect((await route({ contact: c })).conv.assignee_agent_id).toBe(agents[2]);

    const old = await seedContact(h.db, { consent: 'granted' });
    await h.db.query(
      `INSERT INTO messages (portal_id, contact_id, phone_number_id, direction, type, text, status, sender, agent_id, sent_at)
       VALUES ($1, $2, $3, 'out', 'text', 'hola', 'delivered', 'agent', $4, $5)`,
      [PORTAL, old.id, PN, agents[2], new Date(T0.getTime() - 10 * 86_400_000)],
    );
    const r = await route({ contact: old });
    expect(r.conv.assignee_agent_id).not.toBeNull();
    const ev = await h.db.query(`SELECT detail FROM conversation_events WHERE conversation_id = $1 AND kind = 'assigned'`, [r.conv.id]);
    expect(ev.rows[0].detail.method).toBe('round_robin');
  });

  it('per-number method and agent pool', async () => {
    await patchSettings(h, (s) => ({ ...s, routing: { ...s.routing, method: 'round_robin', perNumber: { [PN2]: 'number_pool' } } }));
    await h.db.query(`UPDATE agents SET number_ids = $2 WHERE id = $1`, [agents[1], [PN2]]);
    await h.db.query(`UPDATE agents SET number_ids = $2 WHERE id = ANY($1::bigint[])`, [[agents[0], agents[2]], [PN]]);
    for (let i = 0; i < 3; i++) expect((await route({ pn: PN2 })).conv.assignee_agent_id).toBe(agents[1]);
    // the pool's only agent away: the conversation waits (others are not in this number's pool)
    await h.db.query('UPDATE agents SET available = false WHERE id = $1', [agents[1]]);
    expect((await route({ pn: PN2 })).conv.assignee_agent_id).toBeNull();
    // round robin on the other number ignores pools
    expect((await route({ pn: PN })).conv.assignee_agent_id).not.toBeNull();
  });
});
