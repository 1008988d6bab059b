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

/** Marks the message as handed to Meta (again, for one in doubt); false when another caller did first. */
export async function handOver(q: Queryable, msg: MessageRow): Promise<boolean> {
  const prev = msg.payload?.handedAt === undefined ? null : String(msg.payload.handedAt);
  const r = await q.query(
    `UPDATE messages SET payload = payload || jsonb_build_object('handedAt', now())
      WHERE id = $1 AND wamid IS NULL AND ($2::text IS NULL AND NOT (payload ? 'handedAt') OR payload->>'handedAt' = $2)`,
    [msg.id, prev],
  );
  return r.rowCount === 1;
}
