import { createHash, randomBytes } from 'node:crypto';
import type { Response } from 'express';
import type { Database, Queryable } from '../db/database.js';
import { AppError } from '../errors.js';
import { BOM, HEADER, isoFormatter, line, separatorFor, type Separator } from './csv.js';
import { whereOf, type ReportFilter } from './query.js';

/** How long a download link lives (the contract allows at most 15 minutes). */
export const EXPORT_TTL_MS = 10 * 60_000;
const PAGE = 5000;

const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');

export interface ExportParams extends ReportFilter {
  separator: Separator;
}

/** A single-use link: the token travels only in the URL; the database keeps its hash. */
export async function createExport(
  q: Queryable,
  p: { portalId: number; userId: number; params: ExportParams; baseUrl: string; now: Date },
): Promise<{ url: string; expiresAt: string }> {
  const token = randomBytes(24).toString('base64url');
  const expiresAt = new Date(p.now.getTime() + EXPORT_TTL_MS);
  await q.query('INSERT INTO report_exports (token_hash, portal_id, user_id, params, expires_at) VALUES ($1, $2, $3, $4, $5)', [
    hashOf(token), p.portalId, p.userId, JSON.stringify(p.params), expiresAt,
  ]);
  const from = p.params.from.replace(/-/g, '');
  const to = p.params.to.replace(/-/g, '');
  return { url: `${p.baseUrl.replace(/\/+$/, '')}/reports/exports/${token}/conversations-${from}-${to}.csv`, expiresAt: expiresAt.toISOString() };
}

/** Claims the link (once, before it expires); the second use or a late one gets 410. */
export async function claimExport(q: Queryable, token: string, now: Date): Promise<{ portalId: number; params: ExportParams }> {
  const r = await q.query<{ portal_id: number; params: ExportParams }>(
    `UPDATE report_exports SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING portal_id, params`,
    [hashOf(token), now],
  );
  const row = r.rows[0];
  if (!row) throw new AppError(410, 'EXPORT_EXPIRED', 'This download link was already used or has expired. Export again from the dashboard.');
  return { portalId: Number(row.portal_id), params: { ...row.params, separator: row.params.separator ?? separatorFor(undefined) } };
}

interface CsvRow {
  conversation_id: number;
  started_at: Date;
  profile_name: string | null;
  phone: string | null;
  number_label: string | null;
  agent_name: string | null;
  status: string;
  label: string | null;
  first_response_at: Date | null;
  resolved_at: Date | null;
  first_response_seconds: number | null;
  first_response_business_seconds: number | null;
  resolution_seconds: number | null;
  messages_in: string;
  messages_out: string;
}

const PAGE_SQL = (where: string, limit: string) => `
  SELECT r.conversation_id, r.started_at, ct.profile_name, COALESCE(ct.phone_e164, ct.bsuid) AS phone, n.label AS number_label,
         COALESCE(NULLIF(trim(a.name), ''), a.email) AS agent_name, c.status, r.label, r.first_response_at, r.resolved_at,
         r.first_response_seconds, r.first_response_business_seconds, r.resolution_seconds, m.messages_in, m.messages_out
    FROM report_conversations r
    JOIN conversations c ON c.id = r.conversation_id
    JOIN contacts ct ON ct.id = r.contact_id
    LEFT JOIN whatsapp_numbers n ON n.phone_number_id = r.phone_number_id
    LEFT JOIN agents a ON a.id = r.agent_id
    LEFT JOIN LATERAL (SELECT count(*) FILTER (WHERE direction = 'in') AS messages_in, count(*) FILTER (WHERE direction = 'out') AS messages_out
                         FROM messages WHERE conversation_id = r.conversation_id) m ON true
   WHERE ${where}
   ORDER BY r.started_at, r.conversation_id
   LIMIT ${limit}`;

/**
 * One page of the export after `after` (keyset on start time and id). Its own short transaction,
 * with JIT off: the planner's estimate for 5,000 rows with their message counts is past
 * jit_above_cost, and compiling took longer than running the page (0.15 s of JIT per page).
 */
async function page(db: Database, portalId: number, p: ExportParams, timeZone: string, after: [Date, number] | null): Promise<CsvRow[]> {
  const w = whereOf(portalId, p, timeZone);
  if (after) {
    w.params.push(after[0], after[1]);
    w.sql += ` AND (r.started_at, r.conversation_id) > ($${w.params.length - 1}, $${w.params.length})`;
  }
  w.params.push(PAGE);
  return db.tx(async (c) => {
    await c.query('SET LOCAL jit = off');
    return (await c.query<CsvRow>(PAGE_SQL(w.sql, `$${w.params.length}`), w.params)).rows;
  });
}

/**
 * Streams the CSV page by page (keyset on start time and id), so 100,000 rows never sit in memory
 * and no connection is held while the client reads.
 */
export async function writeCsv(db: Database, res: Response, portalId: number, p: ExportParams, timeZone: string): Promise<number> {
  const sep = p.separator;
  const iso = isoFormatter(timeZone);
  res.status(200);
  res.setHeader('Content-Type', 'text/csv; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="conversations-${p.from}-${p.to}.csv"`);
  res.setHeader('Cache-Control', 'no-store');
  res.write(BOM + line(HEADER, sep));
  let after: [Date, number] | null = null;
  let n = 0;
  for (;;) {
    const rows = await page(db, portalId, p, timeZone, after);
    let chunk = '';
    for (const r of rows) {
      chunk += line(
        [
          Number(r.conversation_id), r.profile_name, r.phone, r.number_label, r.agent_name, r.status, r.label, iso(r.started_at),
          iso(r.first_response_at), iso(r.resolved_at), r.first_response_seconds, r.first_response_business_seconds,
          r.resolution_seconds, Number(r.messages_in), Number(r.messages_out),
        ],
        sep,
      );
    }
    if (chunk && !res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve));
    n += rows.length;
    if (rows.length < PAGE) break;
    const last = rows[rows.length - 1]!;
    after = [last.started_at, Number(last.conversation_id)];
  }
  res.end();
  return n;
}
