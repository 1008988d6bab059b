// The card's conversation use cases besides sending (rep-send.ts): the thread a rep sees, assigning,
// transferring with the expected wait told to the customer (F14), and resolving with a label.
import { botText } from '../consent/index.js';
import { getContactByHubSpotId, type ContactRow } from '../contacts/contacts-repo.js';
import type { Queryable } from '../db/database.js';
import { forbidden, notFound, validation } from '../errors.js';
import { agentByUser, agentName, requireAgent, type AgentRow } from '../settings/agents.js';
import { describeMoment, isOpenAt, nextOpening } from '../settings/business-hours.js';
import type { Settings } from '../settings/types.js';
import { recordEvent } from '../reports/events.js'; // [reports] reporting events, same transaction
import { assignTo } from './assignment.js';
import { agentBody, clientKeyOf, pageQuery, parse, parseId, resolveBody, transferBody, type Caller } from './commands.js';
import type { ConversationDeps } from './deps.js';
import { addEvent, currentConversationOfContact, getConversation, updateConversation } from './repo.js';
import { canReply } from './window.js';
import type { ConversationRow, MessageRow } from './types.js';
import { contactJson, conversationJson, messageJson, messagesJson, type ApiConversation, type ApiMessage } from './view.js';

export type { Caller } from './commands.js';

export class ConversationActions {
  constructor(private readonly d: ConversationDeps) {}

  private get db() {
    return this.d.ctx.db;
  }
  /** The pool as a Queryable (outside transactions). */
  private get q() {
    return this.d.ctx.db.pool;
  }
  private now(): Date {
    return this.d.ctx.clock.now();
  }

  private async callerAgent(caller: Caller, q: Queryable = this.q): Promise<AgentRow | undefined> {
    return agentByUser(q, caller.portalId, caller.userId);
  }

  /** Assigning and transferring: admins and active agents. */
  private async requireLead(caller: Caller): Promise<void> {
    const me = await this.callerAgent(caller);
    if (me?.active) return;
    if (await this.d.settings.isAdmin(caller.portalId, caller.userId)) return;
    throw forbidden('Only agents and admins of this account can assign WhatsApp conversations');
  }

  // ---------------------------------------------------------------- GET conversation

  async contactView(caller: Caller, hubspotContactId: string, query: unknown) {
    const q = parse(pageQuery, query, 'The query');
    const contact = await getContactByHubSpotId(this.q, caller.portalId, hubspotContactId);
    if (!contact) {
      const info = await this.d.directory.lookupHubSpotContact(caller.portalId, hubspotContactId).catch(() => undefined);
      if (info === null) throw notFound('No such contact in this HubSpot account');
      return {
        contact: { waId: null, phone: info?.phone ?? null, consent: info?.consentOptedIn ? 'granted' : 'unknown', optedOut: false },
        conversation: null,
        messages: [],
        nextCursor: null,
      };
    }
    const conv = await currentConversationOfContact(this.q, contact.id);
    const params: unknown[] = [contact.id, q.limit + 1];
    let cond = '';
    if (q.before) {
      const cur = await this.db.query<{ sent_at: Date; id: number }>('SELECT sent_at, id FROM messages WHERE id = $1 AND contact_id = $2', [
        Number(q.before.slice(2)),
        contact.id,
      ]);
      if (!cur.rows[0]) throw validation('The cursor does not belong to this contact', { before: 'Not a cursor for this contact' });
      params.push(cur.rows[0].sent_at, cur.rows[0].id);
      cond = 'AND (sent_at, id) < ($3, $4)';
    }
    const rows = (
      await this.db.query<MessageRow>(`SELECT * FROM messages WHERE contact_id = $1 ${cond} ORDER BY sent_at DESC, id DESC LIMIT $2`, params)
    ).rows;
    const more = rows.length > q.limit;
    const page = rows.slice(0, q.limit).reverse();
    return {
      contact: contactJson(contact),
      conversation: conv ? await conversationJson(this.q, conv, this.now()) : null,
      messages: await messagesJson(this.q, this.d.sender, page),
      nextCursor: more && page[0] ? `c_${page[0].id}` : null,
    };
  }

  // ---------------------------------------------------------------- assign, transfer, resolve

  private async loadForChange(c: Queryable, caller: Caller, rawId: string): Promise<ConversationRow> {
    const conv = await getConversation(c, caller.portalId, parseId(rawId, 'conversation'), true);
    if (!conv) throw notFound('No such conversation in this account');
    return conv;
  }

  private checkAssignable(conv: ConversationRow, agent: AgentRow): void {
    if (conv.status === 'resolved') throw validation('This conversation is resolved', { conversation: 'resolved' });
    if (conv.status === 'bot') throw validation('The customer has not accepted the consent yet; no agent can take the conversation', { conversation: 'waiting for consent' });
    if (!agent.active) throw validation(`${agentName(agent)} is not an active agent`, { agentId: 'inactive' });
  }

  /** POST /conversations/{id}/assign */
  async assign(caller: Caller, rawId: string, body: unknown): Promise<{ conversation: ApiConversation }> {
    const { agentId } = parse(agentBody, body);
    await this.requireLead(caller);
    const settings = await this.d.settings.get(caller.portalId);
    const now = this.now();
    const conv = await this.db.tx(async (c) => {
      const conv = await this.loadForChange(c, caller, rawId);
      const agent = await requireAgent(c, caller.portalId, agentId);
      this.checkAssignable(conv, agent);
      if (conv.assignee_agent_id === agent.id) return conv;
      const kind = conv.assignee_agent_id ? 'transferred' : 'assigned';
      return assignTo(this.d, c, conv, agent, { now, settings, actorUserId: caller.userId, kind, method: 'manual' }, agent.user_id !== caller.userId);
    });
    return { conversation: await conversationJson(this.q, conv, now) };
  }

  /** Expected wait with an agent: their recent time to first response (minutes), or when the team is back. */
  private async expectedWait(agent: AgentRow, settings: Settings, lang: 'es' | 'en'): Promise<string> {
    const now = this.now();
    if (!isOpenAt(now, settings.businessHours)) {
      const back = nextOpening(now, settings.businessHours);
      if (back) return lang === 'es' ? `te responderemos ${describeMoment(back, settings.businessHours, lang, now)}` : `we will answer ${describeMoment(back, settings.businessHours, lang, now)}`;
    }
    const r = await this.db.query<{ secs: number | null }>(
      `SELECT avg(extract(epoch FROM first_response_at - assigned_at))::float8 AS secs FROM conversations
       WHERE assignee_agent_id = $1 AND first_response_at >= assigned_at AND assigned_at >= $2`,
      [agent.id, new Date(now.getTime() - 30 * 86_400_000)],
    );
    const secs = r.rows[0]?.secs;
    const minutes = secs ? Math.min(120, Math.max(2, Math.round(secs / 60))) : 10;
    return lang === 'es' ? `unos ${minutes} minutos` : `about ${minutes} minutes`;
  }

  /** POST /conversations/{id}/transfer (F14): reassign, and tell the customer about the expected wait. */
  async transfer(caller: Caller, rawId: string, body: unknown, idempotencyKey?: string): Promise<{ conversation: ApiConversation; customerMessage: ApiMessage | null }> {
    const b = parse(transferBody, body);
    await this.requireLead(caller);
    const settings = await this.d.settings.get(caller.portalId);
    const now = this.now();
    const { conv, agent } = await this.db.tx(async (c) => {
      const conv = await this.loadForChange(c, caller, rawId);
      const agent = await requireAgent(c, caller.portalId, b.agentId);
      this.checkAssignable(conv, agent);
      if (conv.assignee_agent_id === agent.id) throw validation(`The conversation is already with ${agentName(agent)}`, { agentId: 'same agent' });
      const updated = await assignTo(this.d, c, conv, agent, { now, settings, actorUserId: caller.userId, kind: 'transferred', method: 'transfer' }, agent.user_id !== caller.userId);
      return { conv: updated, agent };
    });

    let customerMessage: ApiMessage | null = null;
    const contact = (await this.db.query<ContactRow>('SELECT * FROM contacts WHERE id = $1', [conv.contact_id])).rows[0]!;
    const windowOpen = canReply(conv.window_expires_at, now);
    if (windowOpen && !contact.opted_out && contact.consent === 'granted') {
      const lang = settings.consent.language;
      const text = b.message?.trim() || botText.transfer(lang, agentName(agent), await this.expectedWait(agent, settings, lang));
      const me = await this.callerAgent(caller);
      try {
        const row = await this.d.sender.send({
          portalId: caller.portalId,
          contactId: conv.contact_id,
          phoneNumberId: conv.phone_number_id,
          conversationId: conv.id,
          sender: b.message?.trim() ? 'agent' : 'system',
          agentId: b.message?.trim() ? (me?.id ?? null) : null,
          clientKey: clientKeyOf(caller.portalId, idempotencyKey, ':transfer') ?? `transfer:${conv.id}:${now.getTime()}`,
          content: { kind: 'text', text },
        });
        await this.db.query('UPDATE conversations SET last_outbound_at = $2 WHERE id = $1', [conv.id, now]);
        customerMessage = await messageJson(this.q, this.d.sender, row);
      } catch (err) {
        this.d.ctx.logger.warn({ err, conversationId: conv.id }, 'transfer message to the customer not sent');
      }
    }
    return { conversation: await conversationJson(this.q, conv, now), customerMessage };
  }

  /** POST /conversations/{id}/resolve: needs a label from the portal's list. */
  async resolve(caller: Caller, rawId: string, body: unknown): Promise<{ conversation: ApiConversation }> {
    const b = parse(resolveBody, body);
    const settings = await this.d.settings.get(caller.portalId);
    const label = settings.resolutionLabels.find((l) => l.trim().toLowerCase() === b.label.trim().toLowerCase());
    if (!label) {
      throw validation(`Choose a resolution label: ${settings.resolutionLabels.join(', ')}`, {
        label: b.label.trim() ? `Not one of the labels: ${settings.resolutionLabels.join(', ')}` : 'Required',
      });
    }
    const now = this.now();
    const conv = await this.db.tx(async (c) => {
      const conv = await this.loadForChange(c, caller, rawId);
      if (conv.status === 'resolved') throw validation('This conversation is already resolved', { conversation: 'resolved' });
      const r = await updateConversation(c, conv.id, { status: 'resolved', label, resolved_at: now, waiting_since: null, urgent: false }, now);
      await addEvent(c, { portalId: conv.portal_id, conversationId: conv.id, kind: 'resolved', at: now, agentId: conv.assignee_agent_id, actorUserId: caller.userId, detail: { label } });
      await recordEvent(c, { kind: 'resolved', conv, at: now, label }); // [reports]
      if (conv.assignee_agent_id) await this.d.tasks.completeTask(c, { portalId: conv.portal_id, conversationId: conv.id });
      return r;
    });
    return { conversation: await conversationJson(this.q, conv, now) };
  }
}
