import { z } from 'zod';
import type { Queryable } from '../db/database.js';
import { validation, zodDetails } from '../http/errors.js';
import { datesOf, dayRange } from './business-time.js';

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

/**
 * One scan of the rollup over the range, grouped four ways at once (GROUPING SETS): totals, per
 * agent (the conversation's current holder), per business-local day it started, per number.
 */
export async function conversationReport(q: Queryable, portalId: number, f: ReportFilter, timeZone: string): Promise<ConversationReport> {
  const w = whereOf(portalId, f, timeZone);
  w.params.push(timeZone);
  const tz = `$${w.params.length}`;
  const rows = (
    await q.query<Row>(
      `SELECT GROUPING(r.agent_id) AS g_agent, GROUPING((r.started_at AT TIME ZONE ${tz})::date) AS g_day, GROUPING(r.phone_number_id) AS g_number,
              r.agent_id, to_char((r.started_at AT TIME ZONE ${tz})::date, 'YYYY-MM-DD') AS day, r.phone_number_id,
              count(*) AS conversations,
              count(*) FILTER (WHERE r.resolved_at IS NULL) AS open,
              count(*) FILTER (WHERE r.resolved_at IS NOT NULL) AS resolved,
              count(*) FILTER (WHERE r.origin = 'customer' AND r.first_response_at IS NOT NULL) AS answered,
              count(*) FILTER (WHERE r.origin = 'customer' AND r.first_response_at IS NULL) AS unanswered,
              avg(r.first_response_seconds)::float8 AS frt,
              avg(r.first_response_business_seconds)::float8 AS frt_b,
              avg(r.resolution_seconds)::float8 AS res
         FROM report_conversations r
        WHERE ${w.sql}
        GROUP BY GROUPING SETS ((), (r.agent_id), ((r.started_at AT TIME ZONE ${tz})::date), (r.phone_number_id))`,
      w.params,
    )
  ).rows;
  const totals = rows.find((r) => r.g_agent && r.g_day && r.g_number);
  const perAgent = rows.filter((r) => !r.g_agent);
  const perDay = new Map(rows.filter((r) => !r.g_day).map((r) => [r.day!, r]));
  const perNumber = rows.filter((r) => !r.g_number);

  const agents = await q.query<{ id: number; owner_id: string; name: string | null; email: string | null }>(
    'SELECT id, owner_id, name, email FROM agents WHERE portal_id = $1',
    [portalId],
  );
  const agentById = new Map(agents.rows.map((a) => [Number(a.id), a]));
  const numbers = await q.query<{ phone_number_id: string; label: string }>('SELECT phone_number_id, label FROM whatsapp_numbers WHERE portal_id = $1', [
    portalId,
  ]);
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
