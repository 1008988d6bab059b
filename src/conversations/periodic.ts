import { urgencyHorizon } from './window.js';
import { getAgent } from '../settings/agents.js';
import { businessDate, endOfBusinessDay } from '../settings/business-hours.js';
import { SYSTEM_LABELS } from '../settings/types.js';
import { agentsToRelease, drainPortal, notifyAgent, releaseConversations } from './assignment.js';
import type { ConversationDeps } from './deps.js';
import { addEvent } from './repo.js';
import { recordEvent } from '../reports/events.js'; // [reports] reporting events, same transaction
import type { ConversationRow } from './types.js';

async function installedPortals(d: ConversationDeps): Promise<number[]> {
  const r = await d.ctx.db.query<{ id: number }>(`SELECT id FROM portals WHERE status = 'installed' ORDER BY id`);
  return r.rows.map((x) => Number(x.id));
}

/**
 * F13: at the end of each portal's business day (autoClose.at, or the end of that day's hours),
 * the conversations still open or pending with an agent are resolved with a system label, so the
 * customer's next message starts a new conversation routed to whoever is working. Runs once per
 * portal and business date. Conversations waiting for an agent stay queued; bot ones are untouched;
 * a conversation the customer wrote to after the close time stays open.
 */
export async function closeEndOfDay(d: ConversationDeps, portalId: number): Promise<number> {
  const settings = await d.settings.get(portalId);
  if (!settings.autoClose.enabled) return 0;
  const now = d.ctx.clock.now();
  const today = businessDate(now, settings.businessHours.timeZone);
  const end = endOfBusinessDay(today, settings);
  if (!end || now.getTime() < end.getTime()) return 0;
  return d.ctx.db.tx(async (c) => {
    const claim = await c.query(
      `INSERT INTO portal_day_runs (portal_id, task, day) VALUES ($1, 'end_of_day_close', $2) ON CONFLICT DO NOTHING RETURNING 1`,
      [portalId, today],
    );
    if (!claim.rowCount) return 0;
    const r = await c.query<ConversationRow>(
      `UPDATE conversations SET status = 'resolved', label = $2, resolved_at = $3, urgent = false, waiting_since = NULL, updated_at = $3
       WHERE portal_id = $1 AND status IN ('open', 'pending') AND assignee_agent_id IS NOT NULL
         AND COALESCE(GREATEST(last_inbound_at, last_outbound_at), opened_at) < $4
       RETURNING *`,
      [portalId, SYSTEM_LABELS.endOfDay, now, end],
    );
    for (const conv of r.rows) {
      await addEvent(c, { portalId, conversationId: conv.id, kind: 'resolved', at: now, agentId: conv.assignee_agent_id, detail: { label: SYSTEM_LABELS.endOfDay, by: 'system' } });
      await recordEvent(c, { kind: 'resolved', conv, at: now, label: SYSTEM_LABELS.endOfDay }); // [reports]
      await d.tasks.completeTask(c, { portalId, conversationId: conv.id });
    }
    return r.rowCount ?? 0;
  });
}

/**
 * F4: conversations whose window closes within `windowAlertMinutes` become urgent; when the
 * customer is waiting on us (`open`) and an agent has it, the agent gets a task.
 */
export async function flagUrgent(d: ConversationDeps, portalId: number): Promise<number> {
  const settings = await d.settings.get(portalId);
  const now = d.ctx.clock.now();
  const horizon = urgencyHorizon(now, settings.windowAlertMinutes);
  const n = await d.ctx.db.tx(async (c) => {
    const r = await c.query<ConversationRow>(
      `UPDATE conversations SET urgent = true, urgent_at = $2, updated_at = $2
       WHERE portal_id = $1 AND status IN ('open', 'pending') AND urgent = false
         AND window_expires_at > $2 AND window_expires_at <= $3
       RETURNING *`,
      [portalId, now, horizon],
    );
    for (const conv of r.rows) {
      await addEvent(c, { portalId, conversationId: conv.id, kind: 'urgent', at: now, agentId: conv.assignee_agent_id });
      if (conv.status !== 'open' || !conv.assignee_agent_id) continue;
      const agent = await getAgent(c, portalId, conv.assignee_agent_id);
      if (agent) await notifyAgent(d, c, conv, agent, 'urgent_window', settings);
    }
    return r.rowCount ?? 0;
  });
  return n;
}

/** Hands over the conversations of agents who can no longer hold them, then drains the queue. */
export async function rebalance(d: ConversationDeps, portalId: number): Promise<number> {
  const settings = await d.settings.get(portalId);
  const release = await agentsToRelease(d, portalId, settings);
  await releaseConversations(d, portalId, release);
  return drainPortal(d, portalId);
}

export const PERIODIC_MS = 60_000;

/** Registers the periodic tasks (once per minute across every instance). */
export function schedulePeriodic(d: ConversationDeps): void {
  const each = (name: string, fn: (portalId: number) => Promise<unknown>) =>
    d.ctx.scheduler.add({
      name,
      everyMs: PERIODIC_MS,
      run: async () => {
        for (const portalId of await installedPortals(d)) {
          try {
            await fn(portalId);
          } catch (err) {
            d.ctx.logger.error({ err, portalId, task: name }, 'periodic conversations task failed for a portal');
          }
        }
      },
    });
  each('conversations.end-of-day', (p) => closeEndOfDay(d, p));
  each('conversations.window-alert', (p) => flagUrgent(d, p));
  each('conversations.drain', async (p) => {
    await rebalance(d, p);
  });
}
