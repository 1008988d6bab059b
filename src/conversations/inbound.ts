import { customerLanguage } from '../consent/language.js';
import { botText, type ConsentTurn, type ConversationPort } from '../consent/index.js';
import type { ContactRow } from '../contacts/contacts-repo.js';
import { methodFor } from '../routing/index.js';
import { describeMoment, isOpenAt, nextOpening } from '../settings/business-hours.js';
import { getAgent } from '../settings/agents.js';
import { notifyAgent, routeConversation } from './assignment.js';
import { recordEvent } from '../reports/events.js'; // [reports] reporting events, same transaction
import type { ConversationDeps } from './deps.js';
import { sendAfterCommit } from './outbound.js';
import { activeConversation, addEvent, attachMessage, getMessage, insertConversation, updateConversation, type InitialBotState } from './repo.js';
import type { ConversationRow } from './types.js';
import { windowEndAfter } from './window.js';

export const INBOUND_QUEUE = 'conversations.inbound';

/** One customer message as the consent bot sees it, with what routing needs besides. */
interface Turn extends ConsentTurn {
  d: ConversationDeps;
  contactOwnerId: string | null | undefined;
}

const key = (t: Turn, purpose: string) => `in:${t.msg.id}:${purpose}`;

async function say(t: Turn, conv: ConversationRow | null, purpose: string, text: string, sender: 'bot' | 'system' = 'bot') {
  await sendAfterCommit(t.d, t.c, t.contact, {
    portalId: t.msg.portal_id,
    contactId: t.contact.id,
    phoneNumberId: t.msg.phone_number_id,
    conversationId: conv?.id ?? null,
    sender,
    clientKey: key(t, purpose),
    content: { kind: 'text', text },
  });
}

/** Links the message and moves the window: Meta's timestamp of the customer's message + 24 h. */
async function attach(t: Turn, conv: ConversationRow): Promise<ConversationRow> {
  await attachMessage(t.c, t.msg.id, conv.id);
  if (t.msg.type === 'reaction') return conv; // reactions do not move the window (unconfirmed by Meta)
  const expires = windowEndAfter(t.msg.sent_at);
  if (conv.window_expires_at && conv.window_expires_at >= expires) return conv;
  return updateConversation(t.c, conv.id, { window_expires_at: expires, last_inbound_at: t.msg.sent_at, urgent: false, urgent_at: null }, t.now);
}

async function resolveBySystem(t: Turn, conv: ConversationRow, label: string): Promise<ConversationRow> {
  const r = await updateConversation(t.c, conv.id, { status: 'resolved', label, resolved_at: t.now, waiting_since: null }, t.now);
  await addEvent(t.c, { portalId: conv.portal_id, conversationId: conv.id, kind: 'resolved', at: t.now, detail: { label, by: 'system' } });
  await recordEvent(t.c, { kind: 'resolved', conv, at: t.now, label }); // [reports]
  if (conv.assignee_agent_id) await t.d.tasks.completeTask(t.c, { portalId: conv.portal_id, conversationId: conv.id });
  return r;
}

/**
 * F16: outside business hours the customer gets one automatic reply per closed period (keyed by
 * when the team is back). Returns the text when one is due, so callers can merge it.
 */
async function outOfHoursText(t: Turn): Promise<string | null> {
  const hours = t.settings.businessHours;
  // Our time, not the message's: a late-processed message needs no notice once the team is back.
  const at = t.now;
  if (isOpenAt(at, hours)) return null;
  const back = nextOpening(at, hours);
  const claim = await t.c.query(
    `INSERT INTO auto_replies (portal_id, contact_id, phone_number_id, kind, period_key) VALUES ($1, $2, $3, 'out_of_hours', $4)
     ON CONFLICT DO NOTHING RETURNING 1`,
    [t.msg.portal_id, t.contact.id, t.msg.phone_number_id, back ? back.toISOString() : 'never'],
  );
  if (!claim.rowCount) return null;
  return botText.outOfHours(t.lang, back ? describeMoment(back, hours, t.lang, at) : null);
}

async function openAndRoute(t: Turn, conv: ConversationRow): Promise<ConversationRow> {
  // ---- bot flow (issue 15, src/botflow/): after consent, before routing; it routes when done ----
  const withBot = await t.d.botFlow?.beforeRouting(t, conv);
  if (withBot) return withBot;
  return routeConversation(t.d, t.c, conv, { now: t.now, settings: t.settings, contactOwnerId: t.contactOwnerId });
}

/** A new conversation started by the customer's message (its window opens with it), the message linked to it. */
async function newConversation(t: Turn, status: 'bot' | 'open', waitingSince: Date | null, bot?: InitialBotState): Promise<ConversationRow> {
  const conv = await insertConversation(t.c, {
    portalId: t.msg.portal_id,
    contactId: t.contact.id,
    phoneNumberId: t.msg.phone_number_id,
    status,
    openedAt: t.msg.sent_at,
    windowExpiresAt: windowEndAfter(t.msg.sent_at),
    lastInboundAt: t.msg.sent_at,
    waitingSince,
    now: t.now,
    firstMessageId: t.msg.id,
    bot,
  });
  return conv;
}

/** A consented contact writes with no conversation going: a new one, routed (F11, F13). */
async function startOpen(t: Turn): Promise<void> {
  let conv = await newConversation(t, 'open', t.msg.sent_at);
  await addEvent(t.c, { portalId: conv.portal_id, conversationId: conv.id, kind: 'opened', at: t.now, detail: { status: 'open' } });
  await recordEvent(t.c, { kind: 'opened', conv, at: t.msg.sent_at, origin: 'customer' }); // [reports]
  conv = await openAndRoute(t, conv);
  const ooh = await outOfHoursText(t);
  if (ooh) await say(t, conv, 'out_of_hours', ooh, 'system');
}

/** The customer writes on a conversation that is open or pending: it goes to its agent. */
async function continueOpen(t: Turn, conv: ConversationRow): Promise<void> {
  let updated = conv;
  if (conv.status === 'pending') {
    updated = await updateConversation(t.c, conv.id, { status: 'open' }, t.now);
  }
  if (updated.assignee_agent_id) {
    const agent = await getAgent(t.c, updated.portal_id, updated.assignee_agent_id);
    if (agent && t.msg.type !== 'reaction') await notifyAgent(t.d, t.c, updated, agent, 'customer_reply', t.settings);
  }
  const ooh = await outOfHoursText(t);
  if (ooh) await say(t, updated, 'out_of_hours', ooh, 'system');
}

/**
 * Consent granted (F8): the conversation opens and reaches the agents' queue, then the bot flow or
 * routing; returns it and the out-of-hours notice due now, if any.
 */
async function handToAgents(t: Turn, conv: ConversationRow): Promise<{ conv: ConversationRow; outOfHours: string | null }> {
  let opened = await updateConversation(t.c, conv.id, { status: 'open', waiting_since: conv.opened_at }, t.now);
  await addEvent(t.c, { portalId: conv.portal_id, conversationId: conv.id, kind: 'consent_granted', at: t.now });
  await recordEvent(t.c, { kind: 'opened', conv: opened, at: t.msg.sent_at, origin: 'customer' }); // [reports] reaches the agents' queue
  opened = await openAndRoute(t, opened);
  return { conv: opened, outOfHours: await outOfHoursText(t) };
}

/** This domain's side of the consent bot (src/consent/bot.ts), for one turn, in its transaction. */
function consentPort(t: Turn): ConversationPort<ConversationRow> {
  return {
    attach: (conv) => attach(t, conv),
    startBotConversation: (first) => newConversation(t, 'bot', null, { attempts: 1, ...first }),
    setBotState: (conv, set) => updateConversation(t.c, conv.id, set, t.now),
    addEvent: (conv, kind, detail) => addEvent(t.c, { portalId: conv.portal_id, conversationId: conv.id, kind, at: t.now, ...(detail ? { detail } : {}) }),
    handToAgents: (conv) => handToAgents(t, conv),
    resolveBySystem: (conv, label) => resolveBySystem(t, conv, label),
    send: (s) => sendAfterCommit(t.d, t.c, t.contact, { portalId: t.msg.portal_id, contactId: t.contact.id, phoneNumberId: t.msg.phone_number_id, ...s }),
  };
}

/**
 * The `conversations.inbound` job (on `message.inbound`): one customer message, handled once, in
 * one transaction that holds the contact's row lock, so a contact's messages never race each other.
 * What it sends is stored in the same transaction and handed to Meta once it commits (outbound.ts).
 */
export async function handleInbound(d: ConversationDeps, messageId: number): Promise<void> {
  const pre = await getMessage(d.ctx.db.pool, messageId);
  if (!pre || pre.direction !== 'in') return;
  const settings = await d.settings.get(pre.portal_id);
  // HTTP lookups happen before the transaction, never inside it.
  const contactOwnerId =
    methodFor(settings, pre.phone_number_id) === 'contact_owner' ? await d.directory.contactOwnerId(pre.portal_id, pre.contact_id).catch(() => null) : undefined;

  await d.ctx.db.tx(async (c) => {
    const contact = (await c.query<ContactRow>('SELECT * FROM contacts WHERE id = $1 FOR UPDATE', [pre.contact_id])).rows[0];
    if (!contact) return;
    const claim = await c.query('INSERT INTO inbound_handled (message_id) VALUES ($1) ON CONFLICT DO NOTHING RETURNING 1', [messageId]);
    if (!claim.rowCount) return; // already handled (a retried or duplicated job)
    // Not read again: what a turn reads of an inbound message (its text, type, number, times) never
    // changes once stored; the claim above is what makes the turn happen once.
    const msg = pre;
    const t: Turn = { d, c, msg, contact, settings, lang: customerLanguage(contact.phone_e164, settings.consent.language), now: d.ctx.clock.now(), contactOwnerId };

    const bot = d.consentBot;
    const port = consentPort(t);
    const active = await activeConversation(c, contact.id, msg.phone_number_id, true);
    if (await bot.keywordTurn(t, port, active)) return;
    if (contact.opted_out) {
      // Opted out: the message is kept in the thread (and on its conversation if one is going), no bot, no routing.
      if (active) await attach(t, active);
      return;
    }
    if (active) {
      const conv = await attach(t, active);
      if (await t.d.botFlow?.turn(t, conv)) return; // ---- bot flow (issue 15): the customer answers a bot step ----
      if (conv.status === 'bot') await bot.answer(t, port, conv);
      else await continueOpen(t, conv);
      return;
    }
    if (msg.type === 'reaction') return; // a reaction alone does not start a conversation
    if (contact.consent === 'granted') await startOpen(t);
    else await bot.start(t, port);
  });
}
