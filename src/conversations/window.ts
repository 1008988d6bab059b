import { DateTime } from 'luxon';
import type { Queryable } from '../db/database.js';
import { AppError } from '../errors.js';

/**
 * F4, the one home of the 24-hour customer service window: it ends 24 h after Meta's timestamp of
 * the customer's last message; inside it a free-form reply is allowed, outside only a template.
 * Meta's 131047 (re-engagement) is authoritative: it closes the window whatever our clock says.
 */
export const WINDOW_MS = 24 * 60 * 60 * 1000;

/** When the window opened by a customer message at `customerMessageAt` ends. */
export function windowEndAfter(customerMessageAt: Date): Date {
  return new Date(customerMessageAt.getTime() + WINDOW_MS);
}

/** A free-form (non-template) message can be sent now. */
export function canReply(expiresAt: Date | null, now: Date): boolean {
  return expiresAt !== null && expiresAt.getTime() > now.getTime();
}

/** The window closes within the alert horizon: the conversation is urgent (F4 alerts). */
export function isUrgent(expiresAt: Date | null, now: Date, alertMinutes: number): boolean {
  return canReply(expiresAt, now) && expiresAt!.getTime() <= urgencyHorizon(now, alertMinutes).getTime();
}

/** Windows ending on or before this moment (and after now) are urgent. */
export function urgencyHorizon(now: Date, alertMinutes: number): Date {
  return new Date(now.getTime() + alertMinutes * 60_000);
}

/** The answer to a free-form send outside the window, with when it closed in the portal's time zone. */
export function windowClosedError(expiresAt: Date | null, now: Date, timeZone: string): AppError {
  if (!expiresAt) {
    return new AppError(409, 'WINDOW_CLOSED', 'The customer has not written on this number in the last 24 hours. Send a template to reopen the conversation.');
  }
  const t = DateTime.fromJSDate(expiresAt, { zone: timeZone });
  const n = DateTime.fromJSDate(now, { zone: timeZone });
  const when = t.hasSame(n, 'day') ? t.toFormat('HH:mm') : t.toFormat('yyyy-LL-dd HH:mm');
  return new AppError(409, 'WINDOW_CLOSED', `The 24-hour window closed at ${when}. Send a template to reopen the conversation.`, {
    windowExpiresAt: expiresAt.toISOString(),
  });
}

/**
 * End of the window for a contact on a number, from the stored messages (reactions do not count:
 * whether they open the window is unconfirmed).
 */
export async function windowFromMessages(q: Queryable, contactId: number, phoneNumberId: string): Promise<Date | null> {
  const r = await q.query<{ last: Date | null }>(
    `SELECT max(sent_at) AS last FROM messages WHERE contact_id = $1 AND phone_number_id = $2 AND direction = 'in' AND type <> 'reaction'`,
    [contactId, phoneNumberId],
  );
  const last = r.rows[0]?.last;
  return last ? windowEndAfter(new Date(last)) : null;
}

/** A send failed with Meta's 131047: the conversation's window is closed now. */
export async function closeWindowOnReengagementError(q: Queryable, messageId: number, now: Date): Promise<void> {
  const m = await q.query<{ conversation_id: number | null; error: { code?: unknown } | null }>('SELECT conversation_id, error FROM messages WHERE id = $1', [messageId]);
  const row = m.rows[0];
  if (!row?.conversation_id || String(row.error?.code) !== '131047') return;
  await q.query(`UPDATE conversations SET window_expires_at = LEAST(COALESCE(window_expires_at, $2), $2), urgent = false, updated_at = $2 WHERE id = $1`, [
    row.conversation_id,
    now,
  ]);
}
