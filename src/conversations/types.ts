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

export type { MessageRow } from '../messages/message-row.js';

