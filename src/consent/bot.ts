import type { PoolClient } from 'pg';
import type { ContactRow } from '../contacts/contacts-repo.js';
import type { DomainEvents } from '../jobs/events.js';
import type { MessageRow } from '../messages/message-row.js';
import type { ConsentMirror } from '../seams.js';
import { SYSTEM_LABELS, type Language, type Settings } from '../settings/types.js';
import type { OutboundContent } from '../whatsapp/types.js';
import { classifyButton, classifyTypedAnswer, matchesKeyword } from './answers.js';
import { recordConsent, type ConsentDecision } from './consent-repo.js';
import { MAX_CONSENT_PROMPTS, botText, consentPrompt, consentReminder } from './messages.js';

/** One customer message, as the inbound path hands it over (inside its transaction, contact row locked). */
export interface ConsentTurn {
  c: PoolClient;
  msg: MessageRow;
  contact: ContactRow;
  settings: Settings;
  lang: Language;
  now: Date;
}

/** The fields of a conversation the consent bot reads. */
export interface BotConversation {
  id: number;
  portal_id: number;
  status: string;
  opened_at: Date;
  bot_attempts: number;
  bot_prompt_message_id: number | null;
  consent_version: number | null;
  consent_language: string | null;
  consent_prompt_text: string | null;
}

/** An automatic message of the bot; the port fills in portal, contact and number from the turn. */
export interface BotSend {
  conversationId: number | null;
  sender: 'bot' | 'system';
  /** Idempotency key: a retried job never sends twice. */
  clientKey: string;
  content: OutboundContent;
  purpose?: 'consent_prompt';
}

/**
 * What the consent bot needs from the conversations domain for one turn (implemented there, in
 * the turn's transaction). `C` is that domain's conversation row.
 */
export interface ConversationPort<C extends BotConversation> {
  /** Links the turn's message to the conversation and moves its window. */
  attach(conv: C): Promise<C>;
  /** A new conversation with the bot, started by the turn's message (linked to it), its first prompt's state written as it is created. */
  startBotConversation(first: { consentVersion: number; consentLanguage: Language; consentPromptText: string }): Promise<C>;
  setBotState(conv: C, set: Partial<Pick<BotConversation, 'bot_attempts' | 'consent_version' | 'consent_language' | 'consent_prompt_text'>>): Promise<C>;
  addEvent(conv: C, kind: string, detail?: Record<string, unknown>): Promise<void>;
  /**
   * Consent granted: the conversation opens (event `consent_granted`), reaches the agents' queue and
   * goes to the bot flow or is routed. Returns it and the out-of-hours notice due now, if any.
   */
  handToAgents(conv: C): Promise<{ conv: C; outOfHours: string | null }>;
  resolveBySystem(conv: C, label: string): Promise<C>;
  /** Enqueues the send in the turn's transaction. */
  send(s: BotSend): Promise<void>;
}

/** What the customer's message says, for keywords and typed consent answers. */
function typedText(m: MessageRow): string | null {
  const p = m.payload ?? {};
  if (m.type === 'text') return p.text?.body ?? m.text;
  if (m.type === 'button') return p.button?.text ?? m.text;
  if (m.type === 'interactive') return p.interactive?.button_reply?.title ?? p.interactive?.list_reply?.title ?? m.text;
  return null;
}

/** The id of a tapped reply button or the payload of a template quick-reply button. */
function buttonId(m: MessageRow): string | null {
  const p = m.payload ?? {};
  if (m.type === 'interactive') return p.interactive?.button_reply?.id ?? null;
  if (m.type === 'button') return p.button?.payload ?? null;
  return null;
}

async function companyName(c: PoolClient, phoneNumberId: string): Promise<string> {
  const r = await c.query<{ verified_name: string | null; label: string | null }>(
    'SELECT verified_name, label FROM whatsapp_numbers WHERE phone_number_id = $1',
    [phoneNumberId],
  );
  return r.rows[0]?.verified_name || r.rows[0]?.label || 'our company';
}

const key = (t: ConsentTurn, purpose: string) => `in:${t.msg.id}:${purpose}`;

function say<C extends BotConversation>(t: ConsentTurn, port: ConversationPort<C>, conv: C | null, purpose: string, text: string, sender: 'bot' | 'system' = 'bot') {
  return port.send({ conversationId: conv?.id ?? null, sender, clientKey: key(t, purpose), content: { kind: 'text', text } });
}

/** The consent bot's `n`-th prompt on a conversation, keyed by the inbound message and `n` (a retried job sends it once). */
function sendPrompt<C extends BotConversation>(t: ConsentTurn, port: ConversationPort<C>, conv: C, n: number, content: OutboundContent) {
  return port.send({ conversationId: conv.id, sender: 'bot', clientKey: key(t, `consent_prompt_${n}`), content, purpose: 'consent_prompt' });
}

/**
 * The consent bot (F8) and the opt-out keywords (F9): asks a new customer for consent, handles the
 * answer (buttons, typed text, bounded retries, decline), records the evidence and mirrors the
 * contact's consent to HubSpot. Built in src/composition.ts; the conversations domain calls it.
 */
export class ConsentBot {
  constructor(private readonly deps: { mirror: ConsentMirror; events: Pick<DomainEvents, 'emit'> }) {}

  /** F9: opt-out and opt-in keywords, before anything else. Returns true when the message was one. */
  async keywordTurn<C extends BotConversation>(t: ConsentTurn, port: ConversationPort<C>, active: C | undefined): Promise<boolean> {
    const text = typedText(t.msg);
    const payload = t.msg.type === 'button' ? (t.msg.payload?.button?.payload ?? null) : null;
    const isOut = matchesKeyword(text, t.settings.optOutKeywords) || matchesKeyword(payload, t.settings.optOutKeywords);
    const isIn = !isOut && (matchesKeyword(text, t.settings.optInKeywords) || matchesKeyword(payload, t.settings.optInKeywords));
    const method = t.msg.type === 'button' ? 'template_button' : 'keyword';
    if (isOut) {
      const conv = active ? await port.attach(active) : null;
      if (!t.contact.opted_out) {
        await this.evidence(t, null, 'opted_out', method);
        await this.mirrorConsent(t, null);
        await say(t, port, conv, 'opted_out', botText.optedOut(t.lang, t.settings.optInKeywords), 'system');
      }
      if (conv?.status === 'bot') await port.resolveBySystem(conv, SYSTEM_LABELS.optedOut);
      return true;
    }
    if (isIn && t.contact.opted_out) {
      const conv = active ? await port.attach(active) : null;
      await this.evidence(t, null, 'opted_in', method);
      await this.mirrorConsent(t, null);
      await say(t, port, conv, 'opted_in', botText.optedIn(t.lang), 'system');
      return true;
    }
    return false;
  }

  /** A contact without consent writes: a conversation with the bot, which asks for consent (F8). */
  async start<C extends BotConversation>(t: ConsentTurn, port: ConversationPort<C>): Promise<void> {
    const company = await companyName(t.c, t.msg.phone_number_id);
    const prompt = consentPrompt(t.settings, t.lang, company);
    const conv = await port.startBotConversation({ consentVersion: t.settings.consent.version, consentLanguage: t.lang, consentPromptText: prompt.body });
    await port.addEvent(conv, 'opened', { status: 'bot' });
    await sendPrompt(t, port, conv, 1, prompt);
  }

  /** F8: the customer's answer while the conversation is with the consent bot. */
  async answer<C extends BotConversation>(t: ConsentTurn, port: ConversationPort<C>, conv: C): Promise<void> {
    const byButton = classifyButton(buttonId(t.msg));
    const answer = byButton ?? classifyTypedAnswer(typedText(t.msg));
    const method = byButton ? (t.msg.type === 'button' ? 'template_button' : 'button') : 'text';
    const lang = (conv.consent_language as Language | null) ?? t.lang;

    if (answer === 'accept') {
      await this.evidence(t, conv, 'granted', method);
      await this.mirrorConsent(t, conv.consent_version);
      const { conv: opened, outOfHours: ooh } = await port.handToAgents(conv);
      const thanks = ooh ? (lang === 'es' ? '¡Gracias! Registramos tu autorización.' : 'Thank you! We have recorded your permission.') : botText.accepted(lang);
      await say(t, port, opened, 'consent_accepted', ooh ? `${thanks}\n\n${ooh}` : thanks);
      return;
    }
    if (answer === 'decline') {
      await this.evidence(t, conv, 'declined', method);
      await this.mirrorConsent(t, conv.consent_version);
      await port.addEvent(conv, 'consent_declined');
      await say(t, port, conv, 'consent_declined', botText.declined(lang));
      await port.resolveBySystem(conv, SYSTEM_LABELS.consentDeclined);
      return;
    }
    // Not an answer: ask again, a bounded number of times, then give up politely.
    if (conv.bot_attempts >= MAX_CONSENT_PROMPTS) {
      await say(t, port, conv, 'consent_gave_up', botText.gaveUp(lang));
      await port.resolveBySystem(conv, SYSTEM_LABELS.consentNoAnswer);
      return;
    }
    const company = await companyName(t.c, t.msg.phone_number_id);
    const reminder = consentReminder(t.settings, lang, company);
    await port.setBotState(conv, { bot_attempts: conv.bot_attempts + 1 });
    await sendPrompt(t, port, conv, conv.bot_attempts + 1, reminder);
  }

  /** The contact's consent as stored now, to HubSpot (durable, in the turn's transaction), and `contact.consent`. */
  private async mirrorConsent(t: ConsentTurn, textVersion: number | null): Promise<void> {
    const r = await t.c.query<ContactRow>('SELECT * FROM contacts WHERE id = $1', [t.contact.id]);
    const fresh = r.rows[0]!;
    await this.deps.mirror.mirrorConsent(t.c, {
      portalId: fresh.portal_id,
      contactId: fresh.id,
      consent: fresh.consent,
      consentAt: fresh.consent_at,
      textVersion,
      optedOut: fresh.opted_out,
    });
    await this.deps.events.emit('contact.consent', { contactId: fresh.id }, { client: t.c });
  }

  /** The evidence of a decision: the answer, the prompt it answered and the text shown (consent_records). */
  private async evidence(t: ConsentTurn, conv: BotConversation | null, decision: ConsentDecision, method: string): Promise<void> {
    let promptWamid: string | null = null;
    if (conv?.bot_prompt_message_id) {
      const p = await t.c.query<{ wamid: string | null }>('SELECT wamid FROM messages WHERE id = $1', [conv.bot_prompt_message_id]);
      promptWamid = p.rows[0]?.wamid ?? null;
    }
    await recordConsent(t.c, {
      portalId: t.msg.portal_id,
      contactId: t.contact.id,
      conversationId: conv?.id ?? null,
      phoneNumberId: t.msg.phone_number_id,
      decision,
      method,
      answerMessageId: t.msg.id,
      answerWamid: t.msg.wamid,
      answerText: typedText(t.msg) ?? t.msg.text,
      promptMessageId: conv?.bot_prompt_message_id ?? null,
      promptWamid,
      textVersion: conv?.consent_version ?? null,
      textLanguage: conv?.consent_language ?? null,
      textShown: conv?.consent_prompt_text ?? null,
      customerPhone: t.contact.phone_e164 ?? t.contact.bsuid,
      answeredAt: t.msg.sent_at,
      recordedAt: t.now,
    });
  }
}
