import { DateTime } from 'luxon';
import type { Queryable } from '../db/database.js';
import { chooseAgent, lockRouting, methodFor } from '../routing/index.js';
import { canHoldConversations, type AgentRow } from '../settings/agents.js';
import type { Settings } from '../settings/types.js';
import type { ConversationDeps } from './deps.js';
import type { TaskRequest } from '../seams.js';
import { addEvent, customerMessages, updateConversation } from './repo.js';
import type { ConversationRow } from './types.js';

async function contactLabel(q: Queryable, contactId: number): Promise<string> {
  const r = await q.query<{ profile_name: string | null; phone_e164: string | null }>('SELECT profile_name, phone_e164 FROM contacts WHERE id = $1', [
    contactId,
  ]);
  const c = r.rows[0];
  if (!c) return 'a customer';
  return [c.profile_name, c.phone_e164].filter(Boolean).join(' ') || 'a customer';
}

/** F17: a HubSpot task on the contact for the agent (one open task per conversation, updated). */
export async function notifyAgent(
  d: ConversationDeps,
  q: Queryable,
  conv: ConversationRow,
  agent: AgentRow,
  kind: TaskRequest['kind'],
  settings: Settings,
): Promise<void> {
  const who = await contactLabel(q, conv.contact_id);
  let subject: string;
  let body: string;
  if (kind === 'assigned' || kind === 'transferred') {
    const first = await customerMessages(q, conv.id, 5);
    subject = kind === 'assigned' ? `WhatsApp: new conversation with ${who}` : `WhatsApp: conversation with ${who} transferred to you`;
    body = [
      kind === 'assigned' ? 'A WhatsApp conversation was assigned to you.' : 'A WhatsApp conversation was transferred to you.',
      first.length ? 'The customer wrote:' : '',
      ...first.map((m) => `• ${m.text ?? `(${m.type})`}`),
      'Open the contact record to reply.',
    ]
      .filter(Boolean)
      .join('\n');
  } else if (kind === 'customer_reply') {
    const last = (await customerMessages(q, conv.id, 1))[0];
    subject = `WhatsApp: ${who} replied`;
    body = `${last?.text ?? 'New message'}\n\nOpen the contact record to reply.`;
  } else {
    const closes = conv.window_expires_at
      ? DateTime.fromJSDate(conv.window_expires_at, { zone: settings.businessHours.timeZone }).toFormat('yyyy-LL-dd HH:mm')
      : 'soon';
    subject = `WhatsApp: urgent, the 24-hour window with ${who} closes soon`;
    body = `The 24-hour window closes at ${closes} (${settings.businessHours.timeZone}). Reply before then; afterwards only a template can reach the customer.`;
  }
  await d.tasks.enqueueTask(q, {
    portalId: conv.portal_id,
    conversationId: conv.id,
    contactId: conv.contact_id,
    ownerId: agent.owner_id,
    subject,
    body,
    kind,
    priority: kind === 'urgent_window' ? 'HIGH' : 'MEDIUM',
    dueAt: kind === 'urgent_window' ? conv.window_expires_at : null,
  });
}

/** Writes the assignee, records the event, tells the agent and emits `conversation.assigned`. */
export async function assignTo(
  d: ConversationDeps,
  c: Queryable,
  conv: ConversationRow,
  agent: AgentRow,
  o: { now: Date; settings: Settings; kind?: 'assigned' | 'transferred'; actorUserId?: number | null; method?: string },
  /** false when the agent took it themselves (no task for their own action). */
  notify = true,
): Promise<ConversationRow> {
  const kind = o.kind ?? 'assigned';
  const updated = await updateConversation(c, conv.id, { assignee_agent_id: agent.id, assigned_at: o.now, waiting_since: null }, o.now);
  await addEvent(c, {
    portalId: conv.portal_id,
    conversationId: conv.id,
    kind,
    at: o.now,
    agentId: agent.id,
    fromAgentId: conv.assignee_agent_id,
    actorUserId: o.actorUserId ?? null,
    detail: o.method ? { method: o.method } : {},
  });
  if (notify) await notifyAgent(d, c, updated, agent, kind, o.settings);
  await d.ctx.events.emit('conversation.assigned', { conversationId: conv.id, agentId: agent.id }, { client: c });
  return updated;
}

/**
 * Routes a conversation that just opened, inside the caller's transaction. With nobody available it
 * stays unassigned, waiting since its arrival (the drain hands it out later, oldest first).
 */
export async function routeConversation(
  d: ConversationDeps,
  c: Queryable,
  conv: ConversationRow,
  o: { now: Date; settings: Settings; contactOwnerId?: string | null },
): Promise<ConversationRow> {
  const decision = await chooseAgent(c, {
    portalId: conv.portal_id,
    conversationId: conv.id,
    contactId: conv.contact_id,
    phoneNumberId: conv.phone_number_id,
    settings: o.settings,
    now: o.now,
    contactOwnerId: o.contactOwnerId,
  });
  if (!decision) {
    if (!conv.waiting_since) return updateConversation(c, conv.id, { waiting_since: conv.opened_at }, o.now);
    return conv;
  }
  return assignTo(d, c, conv, decision.agent, { now: o.now, settings: o.settings, method: decision.method });
}

/** Contact owners for contact_owner routing, looked up before any transaction (HTTP). */
export async function ownerHints(d: ConversationDeps, portalId: number, settings: Settings, items: { contactId: number; phoneNumberId: string }[]) {
  const hints = new Map<number, string | null>();
  for (const it of items) {
    if (hints.has(it.contactId) || methodFor(settings, it.phoneNumberId) !== 'contact_owner') continue;
    hints.set(it.contactId, await d.directory.contactOwnerId(portalId, it.contactId).catch(() => null));
  }
  return hints;
}

/**
 * Hands waiting conversations to available agents, oldest arrival first, until none waits or
 * nobody can take more. Safe to run on several instances at once (routing lock, SKIP LOCKED).
 */
export async function drainPortal(d: ConversationDeps, portalId: number): Promise<number> {
  const settings = await d.settings.get(portalId);
  const batch = 50;
  let total = 0;
  for (;;) {
    const waiting = await d.ctx.db.query<{ contact_id: number; phone_number_id: string }>(
      `SELECT contact_id, phone_number_id FROM conversations
       WHERE portal_id = $1 AND status IN ('open', 'pending') AND assignee_agent_id IS NULL
       ORDER BY waiting_since NULLS LAST, id LIMIT $2`,
      [portalId, batch],
    );
    if (!waiting.rowCount) return total;
    const hints = await ownerHints(
      d,
      portalId,
      settings,
      waiting.rows.map((w) => ({ contactId: Number(w.contact_id), phoneNumberId: w.phone_number_id })),
    );
    const now = d.ctx.clock.now();
    const assigned = await d.ctx.db.tx(async (c) => {
      await lockRouting(c, portalId);
      const rows = await c.query<ConversationRow>(
        `SELECT * FROM conversations
         WHERE portal_id = $1 AND status IN ('open', 'pending') AND assignee_agent_id IS NULL
         ORDER BY waiting_since NULLS LAST, id LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [portalId, batch],
      );
      let n = 0;
      for (const conv of rows.rows) {
        const routed = await routeConversation(d, c, conv, { now, settings, contactOwnerId: hints.get(conv.contact_id) });
        // Nobody available for this one (e.g. its number's pool): it keeps its place; others may still go.
        if (routed.assignee_agent_id) n++;
      }
      return n;
    });
    total += assigned;
    if (assigned < batch) return total;
  }
}

/**
 * Takes the open conversations away from agents who can no longer hold them (deactivated, or out
 * of office today) and puts them back in the queue at their original arrival.
 */
export async function releaseConversations(d: ConversationDeps, portalId: number, agentIds: number[], actorUserId: number | null = null): Promise<number> {
  if (!agentIds.length) return 0;
  const now = d.ctx.clock.now();
  return d.ctx.db.tx(async (c) => {
    const r = await c.query<ConversationRow>(
      `UPDATE conversations SET assignee_agent_id = NULL, waiting_since = opened_at, updated_at = $3
       WHERE portal_id = $1 AND assignee_agent_id = ANY($2::bigint[]) AND status IN ('open', 'pending')
       RETURNING *`,
      [portalId, agentIds, now],
    );
    for (const conv of r.rows) {
      await addEvent(c, { portalId, conversationId: conv.id, kind: 'unassigned', at: now, actorUserId, detail: { reason: 'agent unavailable' } });
    }
    return r.rowCount ?? 0;
  });
}

/** Agents of a portal whose conversations must be handed over now (deactivated or out of office). */
export async function agentsToRelease(d: ConversationDeps, portalId: number, settings: Settings): Promise<number[]> {
  const r = await d.ctx.db.query<AgentRow>(
    `SELECT a.* FROM agents a WHERE a.portal_id = $1 AND EXISTS (
       SELECT 1 FROM conversations c WHERE c.assignee_agent_id = a.id AND c.status IN ('open', 'pending'))`,
    [portalId],
  );
  const now = d.ctx.clock.now();
  return r.rows.filter((a) => !canHoldConversations(a, now, settings.businessHours.timeZone)).map((a) => a.id);
}

