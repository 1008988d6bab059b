// Shapes of the Extension API as documented in docs/extension-api.md.

export type Consent = 'granted' | 'declined' | 'unknown';
export type ConversationStatus = 'bot' | 'open' | 'pending' | 'resolved';
export type DeliveryStatus = 'accepted' | 'sent' | 'delivered' | 'read' | 'failed';

export interface Assignee {
  agentId: string;
  ownerId: string;
  name: string;
}

export interface Conversation {
  id: string;
  status: ConversationStatus;
  assignee: Assignee | null;
  windowExpiresAt: string | null;
  phoneNumberId: string;
  urgent?: boolean;
  label?: string | null;
}

export interface ContactState {
  waId: string | null;
  phone: string | null;
  consent: Consent;
  optedOut: boolean;
}

export interface MessageError {
  code: number | string;
  title: string;
  message: string;
}

export interface MessageMedia {
  url: string;
  mimeType: string;
  filename: string | null;
}

export interface Message {
  id: string;
  direction: 'in' | 'out';
  type: string;
  text: string | null;
  status: DeliveryStatus | null;
  error: MessageError | null;
  sentAt: string;
  media?: MessageMedia | null;
  templateName?: string | null;
  sentBy?: string | null;
}

export interface ConversationResponse {
  contact: ContactState;
  conversation: Conversation | null;
  messages: Message[];
  nextCursor: string | null;
}

export interface TemplatePlaceholder {
  component: 'header' | 'body' | 'button';
  index: number;
  /** Named parameters ({{customer_name}}) instead of positional ones. */
  name?: string;
  /** For a URL button's dynamic suffix. */
  buttonIndex?: number;
  example?: string | null;
}

export interface Template {
  name: string;
  language: string;
  category?: string;
  status?: string;
  header: { format: string; text: string | null } | null;
  body: string;
  footer?: string | null;
  buttons?: { type: string; text: string | null }[];
  placeholders: TemplatePlaceholder[];
}

export interface WhatsAppNumber {
  phoneNumberId: string;
  wabaId: string;
  label: string;
  displayPhoneNumber?: string | null;
  verifiedName?: string | null;
  qualityRating?: string | null;
}

export interface Agent {
  agentId?: string;
  ownerId: string;
  userId: number | null;
  email: string;
  name: string;
  active: boolean;
  available: boolean;
  outOfOffice: { from: string; to: string }[];
}

export interface Me {
  userId: number;
  ownerId: string | null;
  agent: Agent | null;
  isAdmin?: boolean;
}

export interface QuickReply {
  id: string;
  phoneNumberId: string | null;
  title: string;
  text: string;
}

/** The part of GET /api/v1/settings the card reads. */
export interface CardSettings {
  quickReplies: QuickReply[];
  resolutionLabels: string[];
  windowAlertMinutes?: number;
}
