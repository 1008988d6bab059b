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
  const r = await q.query(
    `UPDATE messages SET status = $2, status_at = $3,
            error = CASE WHEN $2 = 'failed' THEN $4::jsonb WHEN status = 'failed' THEN NULL ELSE error END
     WHERE id = $1 AND direction = 'out'
       AND ((status <> 'failed' AND ${RANK_SQL} < $5) OR (status = 'failed' AND error->>'reason' = '${UNCONFIRMED}'))
     RETURNING id`,
    [p.messageId, status, p.at, JSON.stringify(p.error ?? null), rank],
  );
  if (!r.rowCount) return false;
  await events.emit('message.status', { messageId: p.messageId, status }, { client: q });
  return true;
}

/**
 * Statuses that arrived before the send call stored the wamid (Meta can be that fast) wait in
 * `message_status_events`; once the wamid is on the message, the furthest one is applied.
 */
export async function applyWaitingStatuses(
  q: Queryable,
  events: DomainEvents,
  p: { messageId: number; wamid: string; phoneNumberId: string },
): Promise<void> {
  // Only statuses reported for the message's own number (webhooks are scoped by number, issue 17).
  const r = await q.query<{ status: string; occurred_at: Date; error: unknown }>(
    `SELECT status, occurred_at, error FROM message_status_events WHERE wamid = $1 AND phone_number_id = $2`,
    [p.wamid, p.phoneNumberId],
  );
  const best = r.rows.sort((a, b) => (STATUS_RANK[b.status] ?? 0) - (STATUS_RANK[a.status] ?? 0))[0];
  if (best) await advanceStatus(q, events, { messageId: p.messageId, status: best.status, at: best.occurred_at, error: best.error });
}
