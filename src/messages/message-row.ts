/**
 * A row of the core `messages` table (src/db/migrations/002_core.sql), shared by the domains that
 * read and write messages (docs/seams.md §1).
 */
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
  /** The parsed Meta message (in) or our send request (out). */
  payload: Record<string, any>;
  status: 'received' | 'accepted' | 'sent' | 'delivered' | 'read' | 'failed';
  error: MessageError | null;
  sender: 'customer' | 'agent' | 'bot' | 'system' | 'campaign';
  agent_id: number | null;
  template_name: string | null;
  sent_at: Date;
  status_at: Date | null;
  hubspot_communication_id: string | null;
  created_at: Date;
  /** Outbound: Meta has not been called for the current attempt (migration 094; docs/whatsapp.md "Interrupted sends"). */
  dispatch_pending?: boolean;
  /** Outbound: when the current attempt was handed to Meta. */
  dispatched_at?: Date | null;
}

/** `messages.error` of a failed message: Meta's error, with the reason it maps to. */
export interface MessageError {
  code: number | string;
  title?: string;
  message?: string;
  details?: string | null;
  reason?: string;
  href?: string | null;
  fbtraceId?: string | null;
}
