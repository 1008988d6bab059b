import type { Queryable } from '../db/database.js';
import { cleanReason } from './clean.js';

/** What could not be processed: the whole event (ref '') or one of its items (its path in the body). */
export interface QuarantineEntry {
  ref: string;
  kind: string;
  key?: string;
  reason: string;
}

/**
 * Records (or, for the same event and ref, re-opens with the new reason) a quarantined part of a
 * webhook event. Runs in the caller's transaction, so a rolled-back event leaves no entry.
 */
export async function quarantine(q: Queryable, eventId: number, e: QuarantineEntry): Promise<void> {
  await q.query(
    `INSERT INTO webhook_quarantine (event_id, item_ref, kind, item_key, reason)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (event_id, item_ref) DO UPDATE SET
       reason = EXCLUDED.reason, kind = EXCLUDED.kind, item_key = COALESCE(EXCLUDED.item_key, webhook_quarantine.item_key),
       attempts = webhook_quarantine.attempts + 1, last_attempt_at = now(), resolved_at = NULL`,
    [eventId, e.ref, e.kind, e.key ? cleanReason(e.key, 300) : null, cleanReason(e.reason)],
  );
}

/** The event as a whole could not be read (not JSON, not a WhatsApp envelope): kept as `invalid` and listed. */
export async function markInvalid(q: Queryable, eventId: number, reason: string): Promise<boolean> {
  const r = await q.query(
    `UPDATE webhook_events SET state = 'invalid', processed_at = now(), summary = $2::jsonb WHERE id = $1 AND state = 'pending'`,
    [eventId, JSON.stringify({ problems: [cleanReason(reason)] })],
  );
  if (r.rowCount) await quarantine(q, eventId, { ref: '', kind: 'event', reason });
  return Boolean(r.rowCount);
}

/** The event failed as a whole too often (outside any single item): out of the pending set, listed for an operator. */
export async function markQuarantined(q: Queryable, eventId: number, reason: string): Promise<boolean> {
  const r = await q.query(`UPDATE webhook_events SET state = 'quarantined', processed_at = now(), last_error = $2 WHERE id = $1 AND state = 'pending'`, [
    eventId,
    cleanReason(reason),
  ]);
  if (r.rowCount) await quarantine(q, eventId, { ref: '', kind: 'event', reason });
  return Boolean(r.rowCount);
}

/** Marks an entry processed (a replay succeeded). */
export async function resolveQuarantined(q: Queryable, id: number): Promise<void> {
  await q.query(`UPDATE webhook_quarantine SET resolved_at = now(), last_attempt_at = now(), attempts = attempts + 1 WHERE id = $1`, [id]);
}

/** A replay failed again: the entry stays open with the latest reason. */
export async function stillFailing(q: Queryable, id: number, reason: string): Promise<void> {
  await q.query(`UPDATE webhook_quarantine SET reason = $2, attempts = attempts + 1, last_attempt_at = now(), resolved_at = NULL WHERE id = $1`, [
    id,
    cleanReason(reason),
  ]);
}

export function errorText(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return typeof code === 'string' ? `${err.message} (${code})` : `${err.name}: ${err.message}`;
  }
  return String(err);
}
