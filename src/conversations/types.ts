/** Rows of the core tables as this domain reads them. */

export type ConversationStatus = 'bot' | 'open' | 'pending' | 'resolved';

export interface ConversationRow {
  id: number;
  portal_id: number;
  contact_id: number;
  phone_number_id: string;
  status: ConversationStatus;
  assignee_agent_id: number | null;
  label: string | null;
  urgent: boolean;
  window_expires_at: Date | null;
  opened_at: Date;
  assigned_at: Date | null;
  first_response_at: Date | null;
  resolved_at: Date | null;
  created_at: Date;
  updated_at: Date;
  bot_attempts: number;
  bot_prompt_message_id: number | null;
  consent_version: number | null;
  consent_language: string | null;
  consent_prompt_text: string | null;
  waiting_since: Date | null;
  last_inbound_at: Date | null;
  last_outbound_at: Date | null;
  urgent_at: Date | null;
}

export interface MessageRow {
  id: number;
  portal_id: number;
  contact_id: number;
  conversation_id: number | null;
  phone_number_id: string;
  wamid: string | null;
  client_key: string | null;
  direction: 'in' | 'out';
  type: string;
  text: string | null;
  payload: Record<string, any>;
  status: 'received' | 'accepted' | 'sent' | 'delivered' | 'read' | 'failed';
  error: { code: number | string; title?: string; message?: string; [k: string]: unknown } | null;
  sender: 'customer' | 'agent' | 'bot' | 'system' | 'campaign';
  agent_id: number | null;
  template_name: string | null;
  sent_at: Date;
  status_at: Date | null;
  created_at: Date;
}

/** The 24-hour customer service window (Meta's timestamp of the customer's last message + 24 h). */
export const WINDOW_MS = 24 * 60 * 60 * 1000;
