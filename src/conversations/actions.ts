import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { botText, recordConsent } from '../consent/index.js';
import { getContactByHubSpotId, upsertWhatsAppContact, type ContactRow } from '../contacts/contacts-repo.js';
import type { PoolClient } from 'pg';
import type { Queryable } from '../db/database.js';
import { AppError, forbidden, notFound, validation, zodDetails } from '../errors.js';
import { agentByUser, agentName, requireAgent, type AgentRow } from '../settings/agents.js';
import { describeMoment, isOpenAt, nextOpening } from '../settings/business-hours.js';
import type { Settings } from '../settings/types.js';
import { assignTo, routeConversation } from './assignment.js';
import { recordEvent } from '../reports/events.js'; // [reports] reporting events, same transaction
import { assertContactAllowed } from '../plans/limits.js'; // [plans] PLAN_LIMIT on business-initiated sends
import type { ConversationDeps } from './deps.js';
import type { OutboundContent, OutboundRequest } from '../whatsapp/types.js';
import {
  activeConversation,
  addEvent,
  attachMessage,
  currentConversationOfContact,
  getConversation,
  insertConversation,
  updateConversation,
} from './repo.js';
import { canReply, windowClosedError, windowFromMessages } from './window.js';
import type { ConversationRow, MessageRow } from './types.js';
import { contactJson, conversationJson, messageJson, messagesJson, type ApiConversation, type ApiMessage } from './view.js';

export interface Caller {
  portalId: number;
  userId: number;
}

/** The sender's client key for an API call's Idempotency-Key (bounded length, scoped to the portal). */
const clientKeyOf = (portalId: number, key: string | undefined, suffix = ''): string | undefined => {
  if (!key) return undefined;
  const raw = key + suffix;
  return `api:${portalId}:${raw.length > 120 ? createHash('sha256').update(raw).digest('hex') : raw}`;
};

const parseId = (raw: string, what: string): number => {
  const m = /^(?:[a-z]+_)?(\d{1,15})$/.exec(raw);
  if (!m) throw notFound(`No such ${what}`);
  return Number(m[1]);
};

function parse<T extends z.ZodType>(schema: T, body: unknown, what = 'The request'): z.infer<T> {
  const r = schema.safeParse(body ?? {});
  if (!r.success) {
    const details = zodDetails(r.error);
    const [field, msg] = Object.entries(details)[0] ?? ['_', 'invalid'];
    throw validation(`${what} is not valid: ${field} ${msg}`, details);
  }
  return r.data;
}

const textBody = z.object({
  text: z
    .string({ message: 'Required' })
    .refine((s) => s.trim().length > 0, 'Write a message first')
    .refine((s) => [...s].length <= 4096, 'At most 4096 characters'),
});
const templateBody = z.object({
  phoneNumberId: z.string({ message: 'Required' }).min(1, 'Required'),
  templateName: z.string({ message: 'Required' }).min(1, 'Required'),
  language: z.string({ message: 'Required' }).min(1, 'Required'),
  parameters: z.array(z.string({ message: 'Must be text' })).max(100).default([]),
});
const agentBody = z.object({ agentId: z.string({ message: 'Required' }).min(1, 'Required') });
const transferBody = z.object({ agentId: z.string({ message: 'Required' }).min(1, 'Required'), message: z.string().max(4096, 'At most 4096 characters').optional() });
const resolveBody = z.object({ label: z.string({ message: 'Required' }) });
const pageQuery = z.object({
  before: z.string().regex(/^c_\d{1,15}$/, 'Not a cursor from this API').optional(),
  limit: z.coerce.number().int('Whole number').min(1, 'At least 1').max(50, 'At most 50').default(30),
});

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

  private async contactOrThrow(portalId: number, hubspotContactId: string): Promise<ContactRow> {
    const c = await getContactByHubSpotId(this.q, portalId, hubspotContactId);
    if (!c) throw notFound('This contact has no WhatsApp conversation yet');
    return c;
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

  // ---------------------------------------------------------------- sending

  /**
   * A rep's message, as it is stored: the conversation now waits on the customer (`pending`); one is
   * started (assigned to the rep) when none was going; an unassigned one becomes the rep's.
   */
  private async repSendChange(c: PoolClient, contact: ContactRow, row: MessageRow, me: AgentRow | undefined, caller: Caller, settings: Settings): Promise<ConversationRow> {
    const now = this.now();
    await c.query('SELECT id FROM contacts WHERE id = $1 FOR UPDATE', [contact.id]);
    let conv = await activeConversation(c, contact.id, row.phone_number_id, true);
    if (!conv) {
      conv = await insertConversation(c, {
        portalId: contact.portal_id,
        contactId: contact.id,
        phoneNumberId: row.phone_number_id,
        status: 'pending',
        openedAt: now,
        windowExpiresAt: await windowFromMessages(c, contact.id, row.phone_number_id),
        lastInboundAt: null,
        waitingSince: now,
        now,
      });
      await addEvent(c, { portalId: conv.portal_id, conversationId: conv.id, kind: 'opened', at: now, actorUserId: caller.userId, detail: { status: 'pending', by: 'rep' } });
      await recordEvent(c, { kind: 'opened', conv, at: now, origin: 'rep' }); // [reports]
    }
    await attachMessage(c, row.id, conv.id);
    await recordEvent(c, { kind: 'agent_message', conv, at: row.sent_at, agentId: me?.id ?? null }); // [reports] first response
    const set: Record<string, unknown> = { last_outbound_at: now };
    // The checks before the send passed, so the contact consented: a conversation still with the bot
    // (consent recorded elsewhere meanwhile) moves on too.
    if (conv.status === 'open' || conv.status === 'bot') set.status = 'pending';
    if (!conv.first_response_at && me) set.first_response_at = now;
    conv = await updateConversation(c, conv.id, set, now);
    if (!conv.assignee_agent_id) {
      if (me?.active) {
        conv = await assignTo(this.d, c, conv, me, { now, settings, actorUserId: caller.userId, method: 'rep' }, false);
      } else {
        conv = await routeConversation(this.d, c, conv, { now, settings });
      }
    }
    return conv;
  }

  /**
   * A rep's send: the message row and the conversation change (above) in the sender's one
   * transaction, before Meta is called — a crash can never leave a sent message outside its
   * conversation. A repeated idempotency key returns the first send and its conversation.
   */
  private async sendAsRep(req: OutboundRequest, contact: ContactRow, me: AgentRow | undefined, caller: Caller, settings: Settings): Promise<{ row: MessageRow; conv: ConversationRow | undefined }> {
    let conv: ConversationRow | undefined;
    const row = await this.d.sender.send(req, {
      onStored: async (c, stored) => {
        conv = await this.repSendChange(c, contact, stored, me, caller, settings);
      },
    });
    if (conv) this.d.ctx.events.notify('conversation.assigned');
    else if (row.conversation_id) conv = await getConversation(this.q, caller.portalId, Number(row.conversation_id));
    return { row, conv };
  }

  /** POST /contacts/{id}/messages: a free-form reply inside the 24-hour window. */
  async sendText(caller: Caller, hubspotContactId: string, body: unknown, idempotencyKey?: string): Promise<{ message: ApiMessage }> {
    const { text } = parse(textBody, body);
    const contact = await this.contactOrThrow(caller.portalId, hubspotContactId);
    const conv = await currentConversationOfContact(this.q, contact.id);
    if (!conv) throw notFound('This contact has no WhatsApp conversation yet; start one with a template');
    if (contact.opted_out) throw new AppError(409, 'OPTED_OUT', 'This contact opted out of WhatsApp messages; nothing can be sent until they write START.');
    if (contact.consent !== 'granted' || conv.status === 'bot') {
      throw new AppError(409, 'NO_CONSENT', 'This contact has not accepted the data-processing consent yet, so no agent message can be sent.');
    }
    const settings = await this.d.settings.get(caller.portalId);
    const expires = conv.status === 'resolved' ? await windowFromMessages(this.q, contact.id, conv.phone_number_id) : conv.window_expires_at;
    if (!canReply(expires, this.now())) throw windowClosedError(expires, this.now(), settings.businessHours.timeZone);
    const me = await this.callerAgent(caller);
    const { row } = await this.sendAsRep(
      {
        portalId: caller.portalId,
        contactId: contact.id,
        phoneNumberId: conv.phone_number_id,
        conversationId: conv.status === 'resolved' ? null : conv.id,
        sender: 'agent',
        agentId: me?.id ?? null,
        clientKey: clientKeyOf(caller.portalId, idempotencyKey),
        content: { kind: 'text', text },
      },
      contact, me, caller, settings,
    );
    return { message: await messageJson(this.q, this.d.sender, row) };
  }

  /**
   * An attachment from the card's upload page (src/media/upload-page.ts): the same checks as a text
   * reply (consent, opt-out, open window), then `upload` stores it and hands it to Meta (type, size,
   * monthly quota), then it is sent like a reply.
   */
  async sendAttachment(
    caller: Caller,
    hubspotContactId: string,
    file: { caption?: string; filename: string; clientKey: string },
    upload: (target: { contactId: number; phoneNumberId: string }) => Promise<{ mediaId: string; kind: 'image' | 'document' | 'audio' | 'video' | 'sticker' }>,
  ): Promise<{ message: ApiMessage }> {
    const contact = await this.contactOrThrow(caller.portalId, hubspotContactId);
    const conv = await currentConversationOfContact(this.q, contact.id);
    if (!conv) throw notFound('This contact has no WhatsApp conversation yet; start one with a template');
    if (contact.opted_out) throw new AppError(409, 'OPTED_OUT', 'This contact opted out of WhatsApp messages; nothing can be sent until they write START.');
    if (contact.consent !== 'granted' || conv.status === 'bot') {
      throw new AppError(409, 'NO_CONSENT', 'This contact has not accepted the data-processing consent yet, so no agent message can be sent.');
    }
    const settings = await this.d.settings.get(caller.portalId);
    const expires = conv.status === 'resolved' ? await windowFromMessages(this.q, contact.id, conv.phone_number_id) : conv.window_expires_at;
    if (!canReply(expires, this.now())) throw windowClosedError(expires, this.now(), settings.businessHours.timeZone);
    const me = await this.callerAgent(caller);
    const media = await upload({ contactId: contact.id, phoneNumberId: conv.phone_number_id });
    const caption = file.caption?.trim() ? file.caption.trim().slice(0, 1024) : undefined;
    const content: OutboundContent = { kind: 'media', mediaType: media.kind, mediaId: media.mediaId, ...(caption && media.kind !== 'audio' && media.kind !== 'sticker' ? { caption } : {}), ...(media.kind === 'document' ? { filename: file.filename } : {}) };
    const { row } = await this.sendAsRep(
      {
        portalId: caller.portalId,
        contactId: contact.id,
        phoneNumberId: conv.phone_number_id,
        conversationId: conv.status === 'resolved' ? null : conv.id,
        sender: 'agent',
        agentId: me?.id ?? null,
        clientKey: clientKeyOf(caller.portalId, file.clientKey),
        content,
      },
      contact, me, caller, settings,
    );
    return { message: await messageJson(this.q, this.d.sender, row) };
  }

  /** A HubSpot contact we have no row for, whose consent HubSpot records: a local contact to send to. */
  private async contactFromHubSpot(caller: Caller, hubspotContactId: string): Promise<ContactRow | undefined> {
    const info = await this.d.directory.lookupHubSpotContact(caller.portalId, hubspotContactId).catch(() => undefined);
    if (info === null) throw notFound('No such contact in this HubSpot account');
    if (!info?.phone || !info.consentOptedIn) return undefined;
    const now = this.now();
    return this.db.tx(async (c) => {
      const row = await upsertWhatsAppContact(c, { portalId: caller.portalId, waId: info.phone!.replace(/\D/g, '') });
      if (row.hubspot_contact_id && row.hubspot_contact_id !== hubspotContactId) return undefined; // the number belongs to another contact
      await c.query('UPDATE contacts SET hubspot_contact_id = $2 WHERE id = $1', [row.id, hubspotContactId]);
      if (row.consent !== 'granted') {
        await recordConsent(c, {
          portalId: caller.portalId, contactId: row.id, conversationId: null, phoneNumberId: '', decision: 'granted', method: 'hubspot',
          answerMessageId: null, answerWamid: null, answerText: 'wa_consent_status = opted_in in HubSpot', promptMessageId: null, promptWamid: null,
          textVersion: null, textLanguage: null, textShown: null, customerPhone: row.phone_e164, answeredAt: now, recordedAt: now,
        });
      }
      return (await c.query<ContactRow>('SELECT * FROM contacts WHERE id = $1', [row.id])).rows[0];
    });
  }

  /** POST /contacts/{id}/template-messages: starts a conversation or reopens a frozen one. */
  async sendTemplate(caller: Caller, hubspotContactId: string, body: unknown, idempotencyKey?: string) {
    const b = parse(templateBody, body);
    const contact = (await getContactByHubSpotId(this.q, caller.portalId, hubspotContactId)) ?? (await this.contactFromHubSpot(caller, hubspotContactId));
    if (contact?.opted_out) throw new AppError(409, 'OPTED_OUT', 'This contact opted out of WhatsApp messages; templates cannot be sent to them.');
    if (!contact || contact.consent !== 'granted') {
      throw new AppError(409, 'NO_CONSENT', 'This contact has not given consent to receive WhatsApp messages, so a template cannot be sent.');
    }
    const num = await this.db.query('SELECT 1 FROM whatsapp_numbers WHERE portal_id = $1 AND phone_number_id = $2', [caller.portalId, b.phoneNumberId]);
    if (!num.rowCount) throw notFound('No such WhatsApp number in this account');
    const settings = await this.d.settings.get(caller.portalId);
    const me = await this.callerAgent(caller);
    const active = await activeConversation(this.q, contact.id, b.phoneNumberId);
    const content: OutboundContent = { kind: 'template', name: b.templateName, language: b.language, parameters: b.parameters };
    await assertContactAllowed(this.d.ctx, caller.portalId, contact.id); // [plans]
    const { row, conv } = await this.sendAsRep(
      {
        portalId: caller.portalId,
        contactId: contact.id,
        phoneNumberId: b.phoneNumberId,
        conversationId: active?.id ?? null,
        sender: 'agent',
        agentId: me?.id ?? null,
        clientKey: clientKeyOf(caller.portalId, idempotencyKey),
        content,
      },
      contact, me, caller, settings,
    );
    return { message: await messageJson(this.q, this.d.sender, row), conversation: conv ? await conversationJson(this.q, conv, this.now()) : null };
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
    this.d.ctx.events.notify('conversation.assigned');
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
    this.d.ctx.events.notify('conversation.assigned');

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
