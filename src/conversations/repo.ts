import type { Queryable } from '../db/database.js';
import { type ConversationRow, type ConversationStatus, type MessageRow } from './types.js';

export async function getConversation(q: Queryable, portalId: number, id: number, lock = false): Promise<ConversationRow | undefined> {
  const r = await q.query<ConversationRow>(`SELECT * FROM conversations WHERE portal_id = $1 AND id = $2${lock ? ' FOR UPDATE' : ''}`, [portalId, id]);
  return r.rows[0];
}

/** The conversation not yet resolved for this contact on this number (at most one, by a unique index). */
export async function activeConversation(q: Queryable, contactId: number, phoneNumberId: string, lock = false): Promise<ConversationRow | undefined> {
  const r = await q.query<ConversationRow>(
    `SELECT * FROM conversations WHERE contact_id = $1 AND phone_number_id = $2 AND status <> 'resolved'${lock ? ' FOR UPDATE' : ''}`,
    [contactId, phoneNumberId],
  );
  return r.rows[0];
}

/** The contact's conversation to show: the newest one not resolved, else the newest one. */
export async function currentConversationOfContact(q: Queryable, contactId: number): Promise<ConversationRow | undefined> {
  const r = await q.query<ConversationRow>(
    `SELECT * FROM conversations WHERE contact_id = $1 ORDER BY (status <> 'resolved') DESC, id DESC LIMIT 1`,
    [contactId],
  );
  return r.rows[0];
}

/** The consent bot's state as its conversation is created (the first prompt's). */
export interface InitialBotState {
  attempts: number;
  consentVersion: number;
  consentLanguage: string;
  consentPromptText: string;
}

export async function insertConversation(
  q: Queryable,
  p: {
    portalId: number;
    contactId: number;
    phoneNumberId: string;
    status: ConversationStatus;
    openedAt: Date;
    windowExpiresAt: Date | null;
    lastInboundAt: Date | null;
    waitingSince: Date | null;
    now: Date;
    /** The message that starts it, linked in the same statement (attachMessage's work, one round trip fewer). */
    firstMessageId?: number;
    /** A conversation that starts with the consent bot: its first prompt's state. */
    bot?: InitialBotState;
  },
): Promise<ConversationRow> {
  const r = await q.query<ConversationRow>(
    `WITH conv AS (
       INSERT INTO conversations (portal_id, contact_id, phone_number_id, status, opened_at, window_expires_at, last_inbound_at,
         waiting_since, created_at, updated_at, bot_attempts, consent_version, consent_language, consent_prompt_text)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $11, $12, $13, $14) RETURNING *),
     linked AS (UPDATE messages SET conversation_id = (SELECT id FROM conv) WHERE id = $10)
     SELECT * FROM conv`,
    [
      p.portalId, p.contactId, p.phoneNumberId, p.status, p.openedAt, p.windowExpiresAt, p.lastInboundAt, p.waitingSince, p.now, p.firstMessageId ?? null,
      p.bot?.attempts ?? 0, p.bot?.consentVersion ?? null, p.bot?.consentLanguage ?? null, p.bot?.consentPromptText ?? null,
    ],
  );
  return r.rows[0]!;
}

export async function updateConversation(q: Queryable, id: number, set: Record<string, unknown>, now: Date): Promise<ConversationRow> {
  const cols = Object.keys(set);
  const assignments = cols.map((c, i) => `${c} = $${i + 2}`);
  assignments.push(`updated_at = $${cols.length + 2}`);
  const r = await q.query<ConversationRow>(`UPDATE conversations SET ${assignments.join(', ')} WHERE id = $1 RETURNING *`, [
    id,
    ...cols.map((c) => set[c]),
    now,
  ]);
  return r.rows[0]!;
}

/** Links a message to its conversation (the customer's first messages during the bot too). */
export async function attachMessage(q: Queryable, messageId: number, conversationId: number): Promise<void> {
  await q.query('UPDATE messages SET conversation_id = $2 WHERE id = $1', [messageId, conversationId]);
}

export async function getMessage(q: Queryable, id: number): Promise<MessageRow | undefined> {
  const r = await q.query<MessageRow>('SELECT * FROM messages WHERE id = $1', [id]);
  return r.rows[0];
}

export async function addEvent(
  q: Queryable,
  e: {
    portalId: number;
    conversationId: number;
    kind: string;
    at: Date;
    agentId?: number | null;
    fromAgentId?: number | null;
    actorUserId?: number | null;
    detail?: Record<string, unknown>;
  },
): Promise<void> {
  await q.query(
    `INSERT INTO conversation_events (portal_id, conversation_id, kind, agent_id, from_agent_id, actor_user_id, detail, at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [e.portalId, e.conversationId, e.kind, e.agentId ?? null, e.fromAgentId ?? null, e.actorUserId ?? null, JSON.stringify(e.detail ?? {}), e.at],
  );
}

/** The customer's messages of a conversation, oldest first (for the agent's notification). */
export async function customerMessages(q: Queryable, conversationId: number, limit = 5): Promise<MessageRow[]> {
  const r = await q.query<MessageRow>(
    `SELECT * FROM (SELECT * FROM messages WHERE conversation_id = $1 AND direction = 'in' ORDER BY sent_at DESC, id DESC LIMIT $2) m
     ORDER BY sent_at, id`,
    [conversationId, limit],
  );
  return r.rows;
}
