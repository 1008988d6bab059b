import { z } from 'zod';
import type { Database, Queryable } from '../db/database.js';
import { validation, zodDetails } from '../errors.js';
import { datesOf, dayRange } from './business-time.js';
import { FOLD_AFTER, foldChanges, rangeRows, rebuildDays } from './days.js';

/** The figures every row of the report carries (API_CONTRACT.md, "Round 2 endpoints"). */
export interface Figures {
  conversations: number;
  open: number;
  resolved: number;
  answered: number;
  unanswered: number;
  avgFirstResponseSeconds: number | null;
  /** [addition] the same, counting only the portal's business hours. */
  avgFirstResponseBusinessSeconds: number | null;
  avgResolutionSeconds: number | null;
}

export interface ReportFilter {
  from: string;
  to: string;
  phoneNumberId?: string;
  agentId?: string;
}

export interface ConversationReport {
  range: { from: string; to: string; timeZone: string };
  totals: Figures;
  byAgent: (Figures & { agentId: string | null; ownerId: string | null; name: string })[];
  byDay: (Figures & { date: string })[];
  /** [addition] per WhatsApp number. */
  byNumber: (Figures & { phoneNumberId: string; label: string })[];
}

const MAX_DAYS = 366;
const isoDate = z.string({ message: 'Required' }).regex(/^\d{4}-\d{2}-\d{2}$/, 'Use YYYY-MM-DD').refine((s) => !Number.isNaN(Date.parse(s)), 'Not a date');

export const filterSchema = z
  .object({
    from: isoDate,
    to: isoDate,
    phoneNumberId: z.string().max(64).optional().transform((v) => v || undefined),
    agentId: z.string().regex(/^\d{1,15}$/, 'Not an agent id from this API').optional().or(z.literal('').transform(() => undefined)),
  })
  .superRefine((f, ctx) => {
    if (f.to < f.from) ctx.addIssue({ code: 'custom', path: ['to'], message: `must be on or after ${f.from}` });
    else if (datesOf(f.from, f.to).length > MAX_DAYS) ctx.addIssue({ code: 'custom', path: ['to'], message: `At most ${MAX_DAYS} days per report` });
  });

/** Validates a report or export filter (query string or JSON body); bad input is a 422 naming the field. */
export function parseFilter(input: unknown): ReportFilter {
  const r = filterSchema.safeParse(input ?? {});
  if (!r.success) {
    const details = zodDetails(r.error);
    const [field, msg] = Object.entries(details)[0] ?? ['_', 'invalid'];
    throw validation(`The report range is not valid: ${field} ${msg}`, details);
  }
  return r.data;
}

/** WHERE clause and parameters shared by the report and the export ($1 portal, $2/$3 the range). */
export function whereOf(portalId: number, f: ReportFilter, timeZone: string, alias = 'r'): { sql: string; params: unknown[] } {
  const { start, end } = dayRange(f.from, f.to, timeZone);
  const params: unknown[] = [portalId, start, end];
  let sql = `${alias}.portal_id = $1 AND ${alias}.started_at >= $2 AND ${alias}.started_at < $3`;
  if (f.phoneNumberId) {
    params.push(f.phoneNumberId);
    sql += ` AND ${alias}.phone_number_id = $${params.length}`;
  }
  if (f.agentId) {
    params.push(Number(f.agentId));
    sql += ` AND ${alias}.agent_id = $${params.length}`;
  }
  return { sql, params };
}

interface Row {
  g_agent: number;
  g_day: number;
  g_number: number;
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
  pending: string;
  zone: string | null;
}

const round = (v: number | null) => (v === null || v === undefined ? null : Math.round(Number(v)));
const figures = (r: Row | undefined): Figures => ({
  conversations: Number(r?.conversations ?? 0),
  open: Number(r?.open ?? 0),
  resolved: Number(r?.resolved ?? 0),
  answered: Number(r?.answered ?? 0),
  unanswered: Number(r?.unanswered ?? 0),
  avgFirstResponseSeconds: round(r?.frt ?? null),
  avgFirstResponseBusinessSeconds: round(r?.frt_b ?? null),
  avgResolutionSeconds: round(r?.res ?? null),
});

/** sum / count as avg() computes it (numeric division), so the figures are those of the conversations. */
const avgOf = (sum: string, n: string) => `(sum(d.${sum})::numeric / NULLIF(sum(d.${n}), 0))::float8`;

/**
 * One read of the per-day rollup (days.ts) over the range, grouped four ways at once (GROUPING
 * SETS): totals, per agent (the conversation's current holder), per business-local day it started,
 * per number. The totals row always comes back, with the zone the days are in and how many
 * unfolded changes the read added up.
 */
async function readRollup(q: Queryable, portalId: number, f: ReportFilter, timeZone: string): Promise<Row[]> {
  const { start, end } = dayRange(f.from, f.to, timeZone);
  const params: unknown[] = [portalId];
  const from = rangeRows(params, { from: f.from, to: f.to, start, end, timeZone, phoneNumberId: f.phoneNumberId, agentId: f.agentId ? Number(f.agentId) : undefined });
  const r = await q.query<Row>(
    `SELECT GROUPING(d.agent_id) AS g_agent, GROUPING(d.day) AS g_day, GROUPING(d.phone_number_id) AS g_number,
            NULLIF(d.agent_id, 0) AS agent_id, to_char(d.day, 'YYYY-MM-DD') AS day, d.phone_number_id,
            sum(d.conversations) AS conversations, sum(d.open) AS open, sum(d.resolved) AS resolved,
            sum(d.answered) AS answered, sum(d.unanswered) AS unanswered,
            ${avgOf('first_response_sum', 'first_response_n')} AS frt,
            ${avgOf('first_response_business_sum', 'first_response_business_n')} AS frt_b,
            ${avgOf('resolution_sum', 'resolution_n')} AS res,
            count(*) FILTER (WHERE d.pending) AS pending,
            (SELECT time_zone FROM report_day_zones WHERE portal_id = $1) AS zone
       FROM ${from}
      GROUP BY GROUPING SETS ((), (d.agent_id), (d.day), (d.phone_number_id))
     HAVING sum(d.conversations) > 0 OR GROUPING(d.agent_id, d.day, d.phone_number_id) = 7`,
    params,
  );
  return r.rows;
}

/**
 * The report of a range. The days must be in the portal's zone: the first report (or the first
 * after the zone changed) rebuilds them; a read that added up many changes folds them in.
 */
export async function conversationReport(db: Database, portalId: number, f: ReportFilter, timeZone: string): Promise<ConversationReport> {
  let rows = await readRollup(db.pool, portalId, f, timeZone);
  for (let i = 0; rows.find(isTotals)?.zone !== timeZone; i++) {
    if (i === 3) throw new Error(`report_days of portal ${portalId} are not in ${timeZone} after rebuilding`);
    await rebuildDays(db, portalId, timeZone);
    rows = await readRollup(db.pool, portalId, f, timeZone);
  }
  if (Number(rows.find(isTotals)!.pending) >= FOLD_AFTER) await foldChanges(db, portalId, timeZone);
  return shape(db.pool, portalId, f, timeZone, rows);
}

const isTotals = (r: Row) => Boolean(r.g_agent && r.g_day && r.g_number);

async function shape(q: Queryable, portalId: number, f: ReportFilter, timeZone: string, rows: Row[]): Promise<ConversationReport> {
  const totals = rows.find(isTotals);
  const perAgent = rows.filter((r) => !r.g_agent);
  const perDay = new Map(rows.filter((r) => !r.g_day).map((r) => [r.day!, r]));
  const perNumber = rows.filter((r) => !r.g_number);

  const [agents, numbers] = await Promise.all([
    q.query<{ id: number; owner_id: string; name: string | null; email: string | null }>('SELECT id, owner_id, name, email FROM agents WHERE portal_id = $1', [
      portalId,
    ]),
    q.query<{ phone_number_id: string; label: string }>('SELECT phone_number_id, label FROM whatsapp_numbers WHERE portal_id = $1', [portalId]),
  ]);
  const agentById = new Map(agents.rows.map((a) => [Number(a.id), a]));
  const labelOf = new Map(numbers.rows.map((n) => [n.phone_number_id, n.label]));

  return {
    range: { from: f.from, to: f.to, timeZone },
    totals: figures(totals),
    byAgent: perAgent
      .map((r) => {
        const a = r.agent_id === null ? undefined : agentById.get(Number(r.agent_id));
        return {
          agentId: r.agent_id === null ? null : String(r.agent_id),
          ownerId: a?.owner_id ?? null,
          name: a ? a.name?.trim() || a.email || `Owner ${a.owner_id}` : 'Unassigned',
          ...figures(r),
        };
      })
      .sort((x, y) => y.conversations - x.conversations || x.name.localeCompare(y.name)),
    byDay: datesOf(f.from, f.to).map((date) => ({ date, ...figures(perDay.get(date)) })),
    byNumber: perNumber.map((r) => ({ phoneNumberId: r.phone_number_id!, label: labelOf.get(r.phone_number_id!) ?? r.phone_number_id!, ...figures(r) })),
  };
}
