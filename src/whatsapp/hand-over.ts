// A keyed message (a client key: campaigns, the card's idempotent sends) is handed to Meta once,
// whoever calls: the sender that stored it, or the one taking over after it died. The mark is set in
// the row (compare-and-set) right before the Graph call, so a successor can tell "stored, never sent"
// (send it) from "handed over, answer lost" (in doubt: Meta's status webhook names it by
// biz_opaque_callback_data; with no status within the caller's grace it never reached Meta).
import type { Queryable } from '../db/database.js';
import type { MessageRow } from '../messages/message-row.js';

/** What a dead sender left unsent: stored, no wamid, no retry pending, never handed over — or handed over more than `inDoubtAfterMs` ago. */
export function isUnsent(m: MessageRow, inDoubtAfterMs?: number): boolean {
  if (m.direction !== 'out' || m.status !== 'accepted' || m.wamid || Number(m.payload?.attempts) > 0) return false;
  const handed = m.payload?.handedAt;
  return !handed || (inDoubtAfterMs !== undefined && Date.now() - Date.parse(String(handed)) > inDoubtAfterMs);
}

/**
 * Right before the Graph call: 'uninstalled' when the portal uninstalled meanwhile (nothing is sent);
 * for the first call of a keyed message, 'handed' when this caller marked it handed over (again, for
 * one in doubt) and 'taken' when another did first. One statement, so the send path keeps the one
 * database round trip it had between the throughput slot and Meta.
 */
export async function sendGate(q: Queryable, msg: MessageRow, firstCall: boolean): Promise<'handed' | 'taken' | 'uninstalled' | 'open'> {
  if (!firstCall || !msg.client_key) {
    const r = await q.query<{ status: string }>('SELECT status FROM portals WHERE id = $1', [msg.portal_id]);
    return r.rows[0]?.status === 'uninstalled' ? 'uninstalled' : 'open';
  }
  const prev = msg.payload?.handedAt === undefined ? null : String(msg.payload.handedAt);
  const r = await q.query<{ status: string | null; handed: boolean }>(
    `WITH p AS (SELECT status FROM portals WHERE id = $2),
          h AS (UPDATE messages SET payload = payload || jsonb_build_object('handedAt', now())
                 WHERE id = $1 AND wamid IS NULL AND ($3::text IS NULL AND NOT (payload ? 'handedAt') OR payload->>'handedAt' = $3)
                   AND NOT EXISTS (SELECT 1 FROM p WHERE status = 'uninstalled')
                RETURNING 1)
     SELECT (SELECT status FROM p) AS status, EXISTS (SELECT 1 FROM h) AS handed`,
    [msg.id, msg.portal_id, prev],
  );
  if (r.rows[0]?.status === 'uninstalled') return 'uninstalled';
  return r.rows[0]?.handed ? 'handed' : 'taken';
}
