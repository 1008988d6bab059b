import { ManualClock } from '../../src/clock.js';
import type { Queryable } from '../../src/db/database.js';
import { isoFormatter, isoIn } from '../../src/reports/csv.js';
import { foldChanges, foldPending } from '../../src/reports/days.js';
import { conversationReport, recordEvent, type ConversationRef, type Figures } from '../../src/reports/index.js';
import { dayRange } from '../../src/reports/business-time.js';
import { PN, PN2, PORTAL, seedAgents, seedContact, seedPortal } from '../conversations/helpers.js';
import { startReportsHarness, type ReportsHarness } from './helpers.js';

const bog = (s: string) => new Date(`${s}-05:00`);
const RANGE = { from: '2026-03-29', to: '2026-04-02' };

interface OracleRow {
  g: number;
  agent_id: number | null;
  day: string | null;
  phone_number_id: string | null;
  conversations: string;
  open: string;
  resolved: string;
  answered: string;
  unanswered: string;
  frt: number | null;
  frt_b: number | null;
  res: number | null;
}

/** The figures straight from every conversation of the range (the query the reports had before report_days). */
async function oracle(q: Queryable, timeZone: string, f: { phoneNumberId?: string; agentId?: number } = {}) {
  const { start, end } = dayRange(RANGE.from, RANGE.to, timeZone);
  const r = await q.query<OracleRow>(
    `SELECT GROUPING(r.agent_id, (r.started_at AT TIME ZONE $4)::date, r.phone_number_id) AS g, r.agent_id,
            to_char((r.started_at AT TIME ZONE $4)::date, 'YYYY-MM-DD') AS day, r.phone_number_id, count(*) AS conversations,
            count(*) FILTER (WHERE r.resolved_at IS NULL) AS open, count(*) FILTER (WHERE r.resolved_at IS NOT NULL) AS resolved,
            count(*) FILTER (WHERE r.origin = 'customer' AND r.first_response_at IS NOT NULL) AS answered,
            count(*) FILTER (WHERE r.origin = 'customer' AND r.first_response_at IS NULL) AS unanswered,
            avg(r.first_response_seconds)::float8 AS frt, avg(r.first_response_business_seconds)::float8 AS frt_b, avg(r.resolution_seconds)::float8 AS res
       FROM report_conversations r
      WHERE r.portal_id = $1 AND r.started_at >= $2 AND r.started_at < $3
        AND ($5::text IS NULL OR r.phone_number_id = $5) AND ($6::bigint IS NULL OR r.agent_id = $6)
      GROUP BY GROUPING SETS ((), (r.agent_id), ((r.started_at AT TIME ZONE $4)::date), (r.phone_number_id))`,
    [PORTAL, start, end, timeZone, f.phoneNumberId ?? null, f.agentId ?? null],
  );
  const fig = (x: OracleRow): Figures => ({
    conversations: Number(x.conversations), open: Number(x.open), resolved: Number(x.resolved), answered: Number(x.answered),
    unanswered: Number(x.unanswered), avgFirstResponseSeconds: x.frt === null ? null : Math.round(x.frt),
    avgFirstResponseBusinessSeconds: x.frt_b === null ? null : Math.round(x.frt_b), avgResolutionSeconds: x.res === null ? null : Math.round(x.res),
  });
  const of = (g: number, key: (x: OracleRow) => string) => Object.fromEntries(r.rows.filter((x) => Number(x.g) === g).map((x) => [key(x), fig(x)]));
  return {
    totals: fig(r.rows.find((x) => Number(x.g) === 7)!),
    byAgent: of(3, (x) => String(x.agent_id)),
    byDay: of(5, (x) => x.day!),
    byNumber: of(6, (x) => x.phone_number_id!),
  };
}

describe('reports: the per-day rollup gives the figures of the conversations themselves', () => {
  let h: ReportsHarness;
  let agents: number[];
  const convs: ConversationRef[] = [];

  const open = async (pn: string, at: string) => {
    const contact = await seedContact(h.db, { consent: 'granted' });
    const conv = (
      await h.db.query<ConversationRef>(
        `INSERT INTO conversations (portal_id, contact_id, phone_number_id, status, opened_at) VALUES ($1, $2, $3, 'open', $4)
         RETURNING id, portal_id, contact_id, phone_number_id`,
        [PORTAL, contact.id, pn, bog(at)],
      )
    ).rows[0]!;
    await recordEvent(h.db.pool, { kind: 'opened', conv, at: bog(at), origin: 'customer' });
    convs.push(conv);
    return conv;
  };
  const report = async (timeZone: string, f: { phoneNumberId?: string; agentId?: number } = {}) => {
    const r = await conversationReport(h.db, PORTAL, { ...RANGE, phoneNumberId: f.phoneNumberId, agentId: f.agentId ? String(f.agentId) : undefined }, timeZone);
    return {
      totals: r.totals,
      byAgent: Object.fromEntries(r.byAgent.map(({ agentId, ownerId: _o, name: _n, ...x }) => [String(agentId), x])),
      byDay: Object.fromEntries(r.byDay.filter((d) => d.conversations > 0).map(({ date, ...x }) => [date, x])),
      byNumber: Object.fromEntries(r.byNumber.map(({ phoneNumberId, label: _l, ...x }) => [phoneNumberId, x])),
    };
  };
  const expectSame = async (timeZone = 'America/Bogota') => {
    for (const f of [{}, { phoneNumberId: PN2 }, { agentId: agents[0] }, { phoneNumberId: PN, agentId: agents[1] }]) {
      expect(await report(timeZone, f)).toEqual(await oracle(h.db.pool, timeZone, f));
    }
  };

  beforeAll(async () => {
    h = await startReportsHarness({ clock: new ManualClock(bog('2026-04-01T12:00:00')) });
    await seedPortal(h.db, { numbers: [PN, PN2] });
    agents = await seedAgents(h.db, 3);
    const times = ['2026-03-30T07:30:00', '2026-03-30T09:00:00', '2026-03-30T23:50:00', '2026-03-31T00:10:00', '2026-03-31T10:00:00', '2026-04-01T18:59:59'];
    for (const [i, t] of times.entries()) {
      const conv = await open(i % 2 ? PN2 : PN, t);
      await recordEvent(h.db.pool, { kind: 'assigned', conv, at: bog(t), agentId: agents[i % 3]!, method: 'round_robin' });
      if (i % 3 !== 2) await recordEvent(h.db.pool, { kind: 'agent_message', conv, at: new Date(bog(t).getTime() + (i + 1) * 617_000), agentId: agents[i % 3]! });
      if (i % 2 === 0) await recordEvent(h.db.pool, { kind: 'resolved', conv, at: new Date(bog(t).getTime() + (i + 1) * 3_001_000), label: 'Resolved' });
    }
  });
  afterAll(async () => {
    await h.close();
  });

  it('matches after the first build, with and without filters', async () => {
    await expectSame();
    expect(Number((await h.db.query('SELECT count(*) AS n FROM report_days WHERE portal_id = $1', [PORTAL])).rows[0].n)).toBeGreaterThan(0);
  });

  it('matches while changes wait (transfer, unassign, reopen, resolve, a new one), and after they are folded in', async () => {
    await recordEvent(h.db.pool, { kind: 'transferred', conv: convs[0]!, at: bog('2026-04-01T10:00:00'), agentId: agents[2]!, fromAgentId: agents[0]! });
    await recordEvent(h.db.pool, { kind: 'unassigned', conv: convs[1]!, at: bog('2026-04-01T10:01:00') });
    await recordEvent(h.db.pool, { kind: 'reopened', conv: convs[2]!, at: bog('2026-04-01T10:02:00') });
    await recordEvent(h.db.pool, { kind: 'resolved', conv: convs[3]!, at: bog('2026-04-01T10:03:00'), label: 'Sold' });
    const late = await open(PN2, '2026-04-02T08:00:00');
    await recordEvent(h.db.pool, { kind: 'assigned', conv: late, at: bog('2026-04-02T08:00:00'), agentId: agents[1]!, method: 'manual' });
    await expectSame();
    await foldChanges(h.db, PORTAL, 'America/Bogota');
    expect(Number((await h.db.query('SELECT count(*) AS n FROM report_day_changes').then((r) => r.rows[0].n)))).toBe(0);
    await expectSame();
  });

  it('matches when an agent is deleted (theirs become unassigned) and when a contact is erased', async () => {
    await h.db.query('DELETE FROM agents WHERE id = $1', [agents[1]]);
    await expectSame();
    await h.db.query('DELETE FROM contacts WHERE id = $1', [convs[4]!.contact_id]);
    await expectSame();
  });

  it('another time zone rebuilds the days in it (a conversation at 23:50 in Bogotá is the next day in Madrid)', async () => {
    await expectSame('Europe/Madrid');
    await expectSame('America/Bogota');
  });

  it('the periodic fold takes in the changes of a portal nobody reads, and builds the days of one whose zone changed', async () => {
    const late = await open(PN, '2026-04-02T09:00:00');
    await recordEvent(h.db.pool, { kind: 'assigned', conv: late, at: bog('2026-04-02T09:00:00'), agentId: agents[0]!, method: 'manual' });
    const waiting = async () => Number((await h.db.query('SELECT count(*) AS n FROM report_day_changes WHERE portal_id = $1', [PORTAL])).rows[0].n);
    expect(await waiting()).toBeGreaterThan(0);
    expect(await foldPending(h.db, async () => 'America/Bogota', 1)).toBe(1);
    expect(await waiting()).toBe(0);
    await expectSame();
    // The portal's zone is now Lima, and nobody read since: the fold builds its days there.
    await open(PN2, '2026-04-02T10:00:00');
    expect(await foldPending(h.db, async () => 'America/Lima', 1)).toBe(1);
    const zone = await h.db.query('SELECT time_zone FROM report_day_zones WHERE portal_id = $1', [PORTAL]);
    expect(zone.rows[0].time_zone).toBe('America/Lima');
    expect(await waiting()).toBe(0);
    await expectSame('America/Lima');
  });

  it('a deleted portal takes its rollup with it', async () => {
    await h.db.query('DELETE FROM portals WHERE id = $1', [PORTAL]);
    const left = await h.db.query('SELECT (SELECT count(*) FROM report_days) + (SELECT count(*) FROM report_day_changes) + (SELECT count(*) FROM report_day_zones) AS n');
    expect(Number(left.rows[0].n)).toBe(0);
  });
});

describe('the export writes dates as luxon does, faster', () => {
  it('the same text in zones with and without daylight saving, around their changes', () => {
    const zones = ['America/Bogota', 'America/Santiago', 'Europe/Madrid', 'Asia/Kathmandu', 'Australia/Lord_Howe', 'UTC', 'Etc/UTC', 'America/Sao_Paulo'];
    const base = Date.UTC(2026, 0, 1);
    for (const zone of zones) {
      const iso = isoFormatter(zone);
      for (let i = 0; i < 3000; i++) {
        const d = new Date(base + Math.floor(i * 10_513.37) * 1000 + (i % 50 === 0 ? 123 : 0));
        expect(iso(d)).toBe(isoIn(d, zone));
      }
      expect(iso(null)).toBeNull();
    }
  });
});
