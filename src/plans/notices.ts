import type { Queryable } from '../db/database.js';
import type { Logger } from '../logger.js';
import type { Month } from './usage.js';

export const THRESHOLDS = [80, 100] as const;

/** Tells a portal's admin something (a HubSpot task for the user who installed the app). */
export interface AdminNotifier {
  notifyAdmin(n: { portalId: number; subject: string; body: string }): Promise<void>;
}

/**
 * Records the thresholds `used` of `allowed` reaches this month, once each (the primary key):
 * the rows are an outbox that `deliverNotices` turns into the admin's HubSpot tasks.
 */
export async function claimThresholds(q: Queryable, portalId: number, m: Month, used: number, allowed: number): Promise<number[]> {
  const reached = THRESHOLDS.filter((t) => allowed > 0 && used * 100 >= t * allowed);
  const claimed: number[] = [];
  for (const t of reached) {
    const r = await q.query(
      `INSERT INTO plan_notices (portal_id, month, threshold, used, allowed) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING 1`,
      [portalId, m.from, t, used, allowed],
    );
    if (r.rowCount) claimed.push(t);
  }
  return claimed;
}

function noticeText(n: { threshold: number; used: number; allowed: number; month: string }) {
  const month = n.month.slice(0, 7);
  if (n.threshold >= 100) {
    return {
      subject: `WhatsApp: the plan's ${n.allowed} contacts for ${month} are all used`,
      body:
        `${n.used} of ${n.allowed} contacts of your WhatsApp plan have had a conversation this month. ` +
        'Reps cannot start conversations with new contacts until next month; customers who write in are still received and answered. ' +
        'Contact the app provider to upgrade the plan.',
    };
  }
  return {
    subject: `WhatsApp: ${n.threshold}% of the plan's contacts for ${month} are used`,
    body: `${n.used} of ${n.allowed} contacts of your WhatsApp plan have had a conversation this month. At ${n.allowed}, reps can no longer start conversations with new contacts.`,
  };
}

/** Sends the pending notices; a failure stays pending and is retried on the next pass (at most 10 tries). */
export async function deliverNotices(q: Queryable, notifier: AdminNotifier, logger: Logger): Promise<number> {
  const pending = await q.query<{ portal_id: number; month: Date | string; threshold: number; used: number; allowed: number }>(
    `SELECT portal_id, to_char(month, 'YYYY-MM-DD') AS month, threshold, used, allowed FROM plan_notices
      WHERE notified_at IS NULL AND attempts < 10 ORDER BY created_at LIMIT 100`,
  );
  let sent = 0;
  for (const n of pending.rows) {
    const key = [n.portal_id, n.month, n.threshold];
    try {
      await notifier.notifyAdmin({ portalId: Number(n.portal_id), ...noticeText({ ...n, month: String(n.month) }) });
      await q.query('UPDATE plan_notices SET notified_at = now() WHERE portal_id = $1 AND month = $2 AND threshold = $3', key);
      sent++;
    } catch (err) {
      logger.warn({ err, portalId: n.portal_id, threshold: n.threshold }, 'plan notice not delivered yet');
      await q.query('UPDATE plan_notices SET attempts = attempts + 1, last_error = $4 WHERE portal_id = $1 AND month = $2 AND threshold = $3', [
        ...key,
        String((err as Error).message).slice(0, 500),
      ]);
    }
  }
  return sent;
}
