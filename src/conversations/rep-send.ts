// A rep's sends from the card: a text or an attachment inside the 24-hour window, a template to start
// or reopen a conversation. Each checks consent, opt-out and the window with words a rep understands,
// then hands one request to the sender, whose policy gate checks consent again for every sender.
import type { PoolClient } from 'pg';
import { recordConsent } from '../consent/index.js';
import { getContactByHubSpotId, upsertWhatsAppContact, type ContactRow } from '../contacts/contacts-repo.js';
import { AppError, notFound } from '../errors.js';
import { assertContactAllowed } from '../plans/limits.js'; // [plans] PLAN_LIMIT on business-initiated sends
import { recordEvent } from '../reports/events.js'; // [reports] reporting events, same transaction
import { agentByUser, type AgentRow } from '../settings/agents.js';
import type { Settings } from '../settings/types.js';
import type { OutboundContent, OutboundRequest } from '../whatsapp/types.js';
import { assignTo, routeConversation } from './assignment.js';
import { clientKeyOf, parse, templateBody, textBody, type Caller } from './commands.js';
import type { ConversationDeps } from './deps.js';
import { activeConversation, addEvent, attachMessage, currentConversationOfContact, getConversation, insertConversation, updateConversation } from './repo.js';
import type { ConversationRow, MessageRow } from './types.js';
import { conversationJson, messageJson, type ApiMessage } from './view.js';
import { canReply, windowClosedError, windowFromMessages } from './window.js';

/** Who a free-form reply goes to, once consent, opt-out and the window allow it. */
interface ReplyTarget {
  contact: ContactRow;
  conv: ConversationRow;
  settings: Settings;
  me: AgentRow | undefined;
}

export class RepSends {
  constructor(private readonly d: ConversationDeps) {}

  private get q() {
    return this.d.ctx.db.pool;
  }
  private now(): Date {
    return this.d.ctx.clock.now();
  }

  /** POST /contacts/{id}/messages: a free-form reply inside the 24-hour window. */
  async sendText(caller: Caller, hubspotContactId: string, body: unknown, idempotencyKey?: string): Promise<{ message: ApiMessage }> {
    const { text } = parse(textBody, body);
    const t = await this.replyTarget(caller, hubspotContactId);
    const { row } = await this.sendAsRep(this.replyRequest(caller, t, clientKeyOf(caller.portalId, idempotencyKey), { kind: 'text', text }), t.contact, t.me, caller, t.settings);
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
    const t = await this.replyTarget(caller, hubspotContactId);
    const media = await upload({ contactId: t.contact.id, phoneNumberId: t.conv.phone_number_id });
    const caption = file.caption?.trim() ? file.caption.trim().slice(0, 1024) : undefined;
    const content: OutboundContent = {
      kind: 'media',
      mediaType: media.kind,
      mediaId: media.mediaId,
      ...(caption && media.kind !== 'audio' && media.kind !== 'sticker' ? { caption } : {}),
      ...(media.kind === 'document' ? { filename: file.filename } : {}),
    };
    const { row } = await this.sendAsRep(this.replyRequest(caller, t, clientKeyOf(caller.portalId, file.clientKey), content), t.contact, t.me, caller, t.settings);
    return { message: await messageJson(this.q, this.d.sender, row) };
  }

  /** POST /contacts/{id}/template-messages: starts a conversation or reopens a frozen one. */
  async sendTemplate(caller: Caller, hubspotContactId: string, body: unknown, idempotencyKey?: string) {
    const b = parse(templateBody, body);
    const contact = (await getContactByHubSpotId(this.q, caller.portalId, hubspotContactId)) ?? (await this.contactFromHubSpot(caller, hubspotContactId));
    if (contact?.opted_out) throw new AppError(409, 'OPTED_OUT', 'This contact opted out of WhatsApp messages; templates cannot be sent to them.');
    if (!contact || contact.consent !== 'granted') {
      throw new AppError(409, 'NO_CONSENT', 'This contact has not given consent to receive WhatsApp messages, so a template cannot be sent.');
    }
    const num = await this.q.query('SELECT 1 FROM whatsapp_numbers WHERE portal_id = $1 AND phone_number_id = $2', [caller.portalId, b.phoneNumberId]);
    if (!num.rowCount) throw notFound('No such WhatsApp number in this account');
    const settings = await this.d.settings.get(caller.portalId);
    const me = await agentByUser(this.q, caller.portalId, caller.userId);
    const active = await activeConversation(this.q, contact.id, b.phoneNumberId);
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
        content: { kind: 'template', name: b.templateName, language: b.language, parameters: b.parameters },
      },
      contact, me, caller, settings,
    );
    return { message: await messageJson(this.q, this.d.sender, row), conversation: conv ? await conversationJson(this.q, conv, this.now()) : null };
  }

  /** The checks a free-form reply needs, in the order a rep can act on them. */
  private async replyTarget(caller: Caller, hubspotContactId: string): Promise<ReplyTarget> {
    const contact = await getContactByHubSpotId(this.q, caller.portalId, hubspotContactId);
    if (!contact) throw notFound('This contact has no WhatsApp conversation yet');
    const conv = await currentConversationOfContact(this.q, contact.id);
    if (!conv) throw notFound('This contact has no WhatsApp conversation yet; start one with a template');
    if (contact.opted_out) throw new AppError(409, 'OPTED_OUT', 'This contact opted out of WhatsApp messages; nothing can be sent until they write START.');
    if (contact.consent !== 'granted' || conv.status === 'bot') {
      throw new AppError(409, 'NO_CONSENT', 'This contact has not accepted the data-processing consent yet, so no agent message can be sent.');
    }
    const settings = await this.d.settings.get(caller.portalId);
    // A resolved conversation keeps the window its last customer message opened.
    const expires = conv.status === 'resolved' ? await windowFromMessages(this.q, contact.id, conv.phone_number_id) : conv.window_expires_at;
    if (!canReply(expires, this.now())) throw windowClosedError(expires, this.now(), settings.businessHours.timeZone);
    const me = await agentByUser(this.q, caller.portalId, caller.userId);
    return { contact, conv, settings, me };
  }

  private replyRequest(caller: Caller, t: ReplyTarget, clientKey: string | undefined, content: OutboundContent): OutboundRequest {
    return {
      portalId: caller.portalId,
      contactId: t.contact.id,
      phoneNumberId: t.conv.phone_number_id,
      conversationId: t.conv.status === 'resolved' ? null : t.conv.id,
      sender: 'agent',
      agentId: t.me?.id ?? null,
      clientKey,
      content,
    };
  }

  /**
   * A rep's send: the message row and the conversation change (below) in the sender's one
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
    if (!conv && row.conversation_id) conv = await getConversation(this.q, caller.portalId, Number(row.conversation_id));
    return { row, conv };
  }

  /**
   * A rep's message, as it is stored: the conversation now waits on the customer (`pending`); one is
   * started (assigned to the rep) when none was going; an unassigned one becomes the rep's.
   */
  private async repSendChange(c: PoolClient, contact: ContactRow, row: MessageRow, me: AgentRow | undefined, caller: Caller, settings: Settings): Promise<ConversationRow> {
    const now = this.now();
    await c.query('SELECT id FROM contacts WHERE id = $1 FOR UPDATE', [contact.id]);
    let conv = (await activeConversation(c, contact.id, row.phone_number_id, true)) ?? (await this.openForRep(c, contact, row, caller, now));
    await attachMessage(c, row.id, conv.id);
    await recordEvent(c, { kind: 'agent_message', conv, at: row.sent_at, agentId: me?.id ?? null }); // [reports] first response
    const set: Record<string, unknown> = { last_outbound_at: now };
    // The checks before the send passed, so the contact consented: a conversation still with the bot
    // (consent recorded elsewhere meanwhile) moves on too.
    if (conv.status === 'open' || conv.status === 'bot') set.status = 'pending';
    if (!conv.first_response_at && me) set.first_response_at = now;
    conv = await updateConversation(c, conv.id, set, now);
    if (conv.assignee_agent_id) return conv;
    return me?.active
      ? assignTo(this.d, c, conv, me, { now, settings, actorUserId: caller.userId, method: 'rep' }, false)
      : routeConversation(this.d, c, conv, { now, settings });
  }

  /** A conversation the rep starts: it waits on the customer from the first message. */
  private async openForRep(c: PoolClient, contact: ContactRow, row: MessageRow, caller: Caller, now: Date): Promise<ConversationRow> {
    const conv = await insertConversation(c, {
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
    return conv;
  }

  /** A HubSpot contact we have no row for, whose consent HubSpot records: a local contact to send to. */
  private async contactFromHubSpot(caller: Caller, hubspotContactId: string): Promise<ContactRow | undefined> {
    const info = await this.d.directory.lookupHubSpotContact(caller.portalId, hubspotContactId).catch(() => undefined);
    if (info === null) throw notFound('No such contact in this HubSpot account');
    if (!info?.phone || !info.consentOptedIn) return undefined;
    const now = this.now();
    return this.d.ctx.db.tx(async (c) => {
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
}
