import { canReply } from './window.js';
import type { ContactRow } from '../contacts/contacts-repo.js';
import type { Queryable } from '../db/database.js';
import { agentName, type AgentRow } from '../settings/agents.js';
import type { MessageSender } from '../seams.js';
import type { ConversationRow, MessageRow } from './types.js';

/** The extension API's shapes (docs/extension-api.md). Ids are opaque strings (our row ids). */

export interface ApiAssignee {
  agentId: string;
  ownerId: string;
  name: string;
}

export interface ApiConversation {
  id: string;
  status: ConversationRow['status'];
  assignee: ApiAssignee | null;
  windowExpiresAt: string | null;
  phoneNumberId: string;
  urgent: boolean;
  label: string | null;
}

export interface ApiMessage {
  id: string;
  direction: 'in' | 'out';
  type: string;
  text: string | null;
  status: 'accepted' | 'sent' | 'delivered' | 'read' | 'failed' | null;
  error: { code: number | string; title: string; message: string } | null;
  sentAt: string;
  media: { url: string; mimeType: string; filename: string | null } | null;
  templateName: string | null;
  sentBy: string | null;
}

const API_TYPES = new Set([
  'text', 'image', 'document', 'audio', 'video', 'sticker', 'location', 'contacts', 'interactive', 'button', 'reaction', 'template', 'unsupported',
]);

export function apiConversation(c: ConversationRow, assignee: AgentRow | null | undefined, now: Date): ApiConversation {
  const open = canReply(c.window_expires_at, now);
  return {
    id: String(c.id),
    status: c.status,
    assignee: assignee ? { agentId: String(assignee.id), ownerId: assignee.owner_id, name: agentName(assignee) } : null,
    windowExpiresAt: c.window_expires_at ? c.window_expires_at.toISOString() : null,
    phoneNumberId: c.phone_number_id,
    urgent: c.urgent && open && c.status !== 'resolved',
    label: c.label,
  };
}

export async function conversationJson(q: Queryable, c: ConversationRow, now: Date): Promise<ApiConversation> {
  const a = c.assignee_agent_id ? (await q.query<AgentRow>('SELECT * FROM agents WHERE id = $1', [c.assignee_agent_id])).rows[0] : null;
  return apiConversation(c, a, now);
}

function sentByOf(m: MessageRow, agents: Map<number, AgentRow>): string | null {
  if (m.direction === 'in') return null;
  if (m.sender === 'bot' || m.sender === 'system') return 'Bot';
  if (m.sender === 'campaign') return 'Campaign';
  const a = m.agent_id ? agents.get(m.agent_id) : undefined;
  return a ? agentName(a) : null;
}

function errorOf(m: MessageRow): ApiMessage['error'] {
  if (!m.error) return null;
  const e = m.error as Record<string, any>;
  return { code: e.code ?? 'UNKNOWN', title: String(e.title ?? e.message ?? 'Failed'), message: String(e.message ?? e.details ?? e.title ?? '') };
}

export async function messagesJson(q: Queryable, sender: MessageSender, rows: MessageRow[]): Promise<ApiMessage[]> {
  const agentIds = [...new Set(rows.map((m) => m.agent_id).filter((x): x is number => x !== null))];
  const agents = new Map<number, AgentRow>();
  if (agentIds.length) {
    for (const a of (await q.query<AgentRow>('SELECT * FROM agents WHERE id = ANY($1::bigint[])', [agentIds])).rows) agents.set(Number(a.id), a);
  }
  const out: ApiMessage[] = [];
  for (const m of rows) out.push(await messageJson(q, sender, m, agents));
  return out;
}

export async function messageJson(q: Queryable, sender: MessageSender, m: MessageRow, agents?: Map<number, AgentRow>): Promise<ApiMessage> {
  let map = agents;
  if (!map) {
    map = new Map();
    if (m.agent_id) {
      const a = (await q.query<AgentRow>('SELECT * FROM agents WHERE id = $1', [m.agent_id])).rows[0];
      if (a) map.set(Number(a.id), a);
    }
  }
  const type = m.type === 'interactive_buttons' ? 'interactive' : API_TYPES.has(m.type) ? m.type : 'unsupported';
  const media = ['image', 'document', 'audio', 'video', 'sticker'].includes(m.type) ? await sender.mediaOf(q, m.id).catch(() => null) : null;
  return {
    id: String(m.id),
    direction: m.direction,
    type,
    text: m.text,
    status: m.direction === 'in' || m.status === 'received' ? null : m.status,
    error: errorOf(m),
    sentAt: m.sent_at.toISOString(),
    media,
    templateName: m.template_name,
    sentBy: sentByOf(m, map),
  };
}

export function contactJson(c: ContactRow) {
  return {
    waId: c.wa_id,
    phone: c.phone_e164,
    consent: c.consent,
    optedOut: c.opted_out,
  };
}
