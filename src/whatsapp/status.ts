import type { Queryable } from '../db/database.js';
import type { DomainEvents } from '../jobs/events.js';

/**
 * The outbound status state machine: accepted < sent < delivered < read; `failed` is final and
 * keeps Meta's reason; nothing moves backwards; `read` (and `played`) imply `delivered`.
 */
export const STATUS_RANK: Record<string, number> = { accepted: 0, sent: 1, delivered: 2, read: 3, played: 3, failed: 9 };

/** `played` (first play of a voice note) is shown as read: the messages table has no `played`. */
export function messageStatusOf(status: string): 'sent' | 'delivered' | 'read' | 'failed' | undefined {
  if (status === 'played') return 'read';
  return status === 'sent' || status === 'delivered' || status === 'read' || status === 'failed' ? status : undefined;
}

/** The reason of a send cut off before Meta's answer was stored (sender.ts, recovery.ts). */
export const UNCONFIRMED = 'SEND_UNCONFIRMED';

const RANK_SQL = `(CASE status WHEN 'accepted' THEN 0 WHEN 'sent' THEN 1 WHEN 'delivered' THEN 2 WHEN 'read' THEN 3 WHEN 'failed' THEN 9 ELSE 0 END)`;

/**
 * The forward-only rule below as SQL on a `messages` row, for the statements that apply it
 * (advanceStatus, recordStatus): the placeholders of the new status, its time, error and rank.
 */
function forwardSql(p: { status: string; at: string; error: string; rank: string }): { set: string; where: string } {
  return {
    set: `status = ${p.status}, status_at = ${p.at},
          error = CASE WHEN ${p.status} = 'failed' THEN ${p.error}::jsonb WHEN status = 'failed' THEN NULL ELSE error END`,
    where: `direction = 'out'
       AND ((status <> 'failed' AND ${RANK_SQL} < ${p.rank}) OR (status = 'failed' AND error->>'reason' = '${UNCONFIRMED}'))`,
  };
}

/**
 * Moves an outbound message to `status` only if that is forward; atomic under concurrency (the
 * row lock re-evaluates the condition). Emits `message.status` in the same transaction when it moved.
 * One exception to "failed is final": a message failed as SEND_UNCONFIRMED (its send was cut off
 * and Meta's answer never stored, docs/whatsapp.md) takes whatever Meta later reports about it.
 */
export async function advanceStatus(
  q: Queryable,
  events: DomainEvents,
  p: { messageId: number; status: string; at: Date; error?: unknown },
): Promise<boolean> {
  const status = messageStatusOf(p.status);
  if (!status) return false;
  const rank = STATUS_RANK[status]!;
  const forward = forwardSql({ status: '$2', at: '$3', error: '$4', rank: '$5' });
  const r = await q.query(
    `UPDATE messages SET ${forward.set} WHERE id = $1 AND ${forward.where} RETURNING id`,
    [p.messageId, status, p.at, JSON.stringify(p.error ?? null), rank],
  );
  if (!r.rowCount) return false;
  await events.emit('message.status', { messageId: p.messageId, status }, { client: q });
  return true;
}

/** One status webhook item, as `message_status_events` keeps it (ingest-items.ts). */
export interface StatusReport {
  wamid: string;
  status: string;
  phoneNumberId: string;
  portalId: number;
  at: Date;
  recipientId: string | null;
  error: unknown;
  pricing: unknown;
  conversation: unknown;
  callbackData: string | null;
}

/**
 * Keeps a status report and moves the message it names (by wamid, on the report's own number and
 * portal) forward, by advanceStatus's rule, in ONE statement: a delivery status is the most
 * frequent webhook item, and three round trips each were a tenth of the pipeline's statements.
 * Returns the message's id (undefined when no message has this wamid yet) and whether it moved.
 */
export async function recordStatus(q: Queryable, events: DomainEvents, r: StatusReport): Promise<{ messageId?: number; moved: boolean }> {
  const status = messageStatusOf(r.status) ?? null;
  const forward = forwardSql({ status: '$11', at: '$4', error: '$6', rank: '$12' });
  const res = await q.query<{ id: number | null; moved: number | null }>(
    `WITH kept AS (
       INSERT INTO message_status_events (wamid, status, phone_number_id, occurred_at, recipient_id, error, pricing, conversation, callback_data)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8::jsonb, $9)
       ON CONFLICT (wamid, phone_number_id, status) DO NOTHING
     ), m AS (
       SELECT id FROM messages WHERE wamid = $1 AND direction = 'out' AND portal_id = $10 AND phone_number_id = $3
     ), moved AS (
       UPDATE messages SET ${forward.set} WHERE id IN (SELECT id FROM m) AND $11::text IS NOT NULL AND ${forward.where} RETURNING id
     )
     SELECT (SELECT id FROM m LIMIT 1) AS id, (SELECT id FROM moved LIMIT 1) AS moved`,
    [
      r.wamid,
      r.status,
      r.phoneNumberId,
      r.at,
      r.recipientId,
      JSON.stringify(r.error ?? null),
      JSON.stringify(r.pricing ?? null),
      JSON.stringify(r.conversation ?? null),
      r.callbackData,
      r.portalId,
      status,
      status ? STATUS_RANK[status]! : -1,
    ],
  );
  const row = res.rows[0];
  if (row?.moved != null) await events.emit('message.status', { messageId: Number(row.moved), status: status! }, { client: q });
  return { messageId: row?.id == null ? undefined : Number(row.id), moved: row?.moved != null };
}

/**
 * The common case of Meta's answer, in one statement and outside any transaction: the wamid stored
 * when no status for it came first. Null when one did (or the row is gone): recordWamid applies it.
 * A status arriving meanwhile finds the message by its callback data (ingest-items.ts).
 */
export async function storeWamidIfNothingWaits<Row>(q: Queryable, p: { messageId: number; wamid: string }): Promise<Row | null> {
  const r = await q.query<Row & object>(
    `UPDATE messages m SET wamid = $2 WHERE m.id = $1
       AND NOT EXISTS (SELECT 1 FROM message_status_events e WHERE e.wamid = $2 AND e.phone_number_id = m.phone_number_id)
     RETURNING *`,
    [p.messageId, p.wamid],
  );
  return r.rows[0] ?? null;
}

/**
 * Meta's answer to a send: the wamid on the message, and the furthest status that arrived before it
 * (Meta can be that fast; such statuses wait in `message_status_events`) applied — one statement when
 * none waits. Only statuses reported for the message's own number count (issue 17). `moved`: one applied.
 */
export async function recordWamid<Row extends { phone_number_id: string }>(
  q: Queryable,
  events: DomainEvents,
  p: { messageId: number; wamid: string },
): Promise<{ row: Row; moved: boolean }> {
  const r = await q.query<Row & { waiting: Array<{ status: string; occurred_at: string; error: unknown }> | null }>(
    `WITH u AS (UPDATE messages SET wamid = $2 WHERE id = $1 RETURNING *)
     SELECT u.*, (SELECT json_agg(json_build_object('status', e.status, 'occurred_at', e.occurred_at, 'error', e.error))
                    FROM message_status_events e WHERE e.wamid = $2 AND e.phone_number_id = u.phone_number_id) AS waiting
       FROM u`,
    [p.messageId, p.wamid],
  );
  const { waiting, ...row } = r.rows[0]!;
  const best = (waiting ?? []).sort((a, b) => (STATUS_RANK[b.status] ?? 0) - (STATUS_RANK[a.status] ?? 0))[0];
  if (best) await advanceStatus(q, events, { messageId: p.messageId, status: best.status, at: new Date(best.occurred_at), error: best.error });
  return { row: row as unknown as Row, moved: Boolean(best) };
}
