import type { Queryable } from '../db/database.js';
import { AppError } from '../errors.js';
import type { OutboundRequest } from './types.js';

/**
 * The loop guard: at most this many automatic messages (sender `bot` or `system`: the consent bot,
 * bot flows, out-of-hours notices, opt-out confirmations, reminders, transfer notices) to one contact
 * in any rolling hour. A customer's auto-responder answering every bot message otherwise loops with
 * the bot forever (seen: 10,200 messages in, 10,189 bot answers). The limit stays above the longest
 * legitimate bot exchange (consent prompt and reminders, a bot flow of a few steps, the hand-over).
 * The customer's messages are still stored and shown; only the bot stays quiet (docs/whatsapp.md).
 */
export const AUTO_REPLIES_PER_CONTACT_PER_HOUR = 10;
const HOUR_MS = 3_600_000;

/**
 * An uninstalled portal sends nothing at all — no rep message, bot answer, reminder, campaign or read
 * receipt — from the moment the app learns of the uninstall (HubSpot refused the refresh token:
 * `invalid_grant`, src/hubspot/tokens.ts). Checked by the sender, the one path to Meta: with the
 * number before each send (`portalNumberAndStatus`), again right before the call (its claim).
 */
export function uninstalledError(): AppError {
  return new AppError(409, 'PORTAL_UNINSTALLED', 'The app was uninstalled from this HubSpot account; nothing is sent until it is installed again.');
}

export async function portalUninstalled(q: Queryable, portalId: number): Promise<boolean> {
  const r = await q.query<{ status: string }>('SELECT status FROM portals WHERE id = $1', [portalId]);
  return r.rows[0]?.status === 'uninstalled';
}

/** The loop guard (above), for automatic messages only: a person's or a campaign's send is never held back by it. */
export async function assertAutoReplyBudget(q: Queryable, req: Pick<OutboundRequest, 'sender' | 'contactId'>, now: Date): Promise<void> {
  if (req.sender !== 'bot' && req.sender !== 'system') return;
  const r = await q.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM messages
      WHERE contact_id = $1 AND direction = 'out' AND sender IN ('bot', 'system') AND sent_at > $2`,
    [req.contactId, new Date(now.getTime() - HOUR_MS)],
  );
  if (r.rows[0]!.n >= AUTO_REPLIES_PER_CONTACT_PER_HOUR) {
    throw new AppError(
      409,
      'AUTO_REPLY_LIMIT',
      `This contact already got ${AUTO_REPLIES_PER_CONTACT_PER_HOUR} automatic messages in the last hour (an auto-responder loop?); no more are sent this hour. Their messages are still received.`,
      { limitPerHour: AUTO_REPLIES_PER_CONTACT_PER_HOUR },
    );
  }
}
