// Public and shared types of the WhatsApp Cloud API simulator.

export interface SimNumber {
  phoneNumberId: string;
  wabaId: string;
  /** Digits ("15550783881") or formatted ("+1 555-078-3881"); webhooks always carry digits only. */
  displayPhoneNumber: string;
  verifiedName: string;
  /** Bearer token that grants access to this number's WABA (all its numbers, media and templates). */
  accessToken: string;
  qualityRating?: 'GREEN' | 'YELLOW' | 'RED' | 'NA';
  /** Messages per second accepted for this number (default: MetaSimulatorOptions.throughputMps). */
  throughputMps?: number;
}

export interface MetaSimulatorOptions {
  /** Signs webhooks: X-Hub-Signature-256 = 'sha256=' + hex HMAC-SHA256(raw body bytes). */
  appSecret: string;
  /** Where signed webhooks are POSTed (the app's /webhooks/whatsapp); can be set later. */
  webhookUrl?: string;
  numbers?: SimNumber[];
  /**
   * Graph version of the app's webhook subscription; it shapes status webhooks (`conversation` is only
   * sent before v24.0). Any /vNN.N/ prefix is accepted on requests. Default 'v24.0'.
   */
  apiVersion?: string;
  /** Default true: after a send, emit 'sent' then 'delivered'. False: only 'sent' (phone offline). */
  autoDeliver?: boolean;
  /** Default false: the customer also reads every delivered message. */
  autoRead?: boolean;
  /** Delay between status webhooks, default 20 ms. */
  statusDelayMs?: number;
  /** Controllable clock (ms), default Date.now. */
  now?: () => number;
  /** Created templates are PENDING, then reviewed after this many ms (default 0). 'reject_*' names are REJECTED. */
  templateReviewMs?: number;
  /** Per-number throughput (messages per second) before 130429. Default 80. */
  throughputMps?: number;
  /** Pair rate limit before 131056: more than `max` messages to one wa_id within `windowMs`. Default 45 / 6000. */
  pairRateLimit?: { max: number; windowMs: number };
  /** Webhook delivery retries after a non-200 answer (default 3) and first backoff (default 50 ms, doubled). */
  webhookRetries?: number;
  webhookRetryBaseMs?: number;
  /** Base URL used in media URLs (defaults to the listen() URL, else the request's host). */
  publicUrl?: string;
  /** Seed Meta's sample `hello_world` (en_US) template in every WABA, like a real new WABA. Default true. */
  seedHelloWorld?: boolean;
  /** Maximum templates per WABA (2388019 beyond). Default 250. */
  templateLimit?: number;
}

export type OutboundStatus = 'accepted' | 'sent' | 'delivered' | 'read' | 'failed';

export interface MetaErrorObject {
  code: number;
  title: string;
  message: string;
  error_data: { details: string };
  href?: string;
}

export interface OutboundMessage {
  wamid: string;
  phoneNumberId: string;
  wabaId: string;
  /** `to` exactly as the app sent it. */
  input: string;
  /** Normalised recipient (digits). */
  waId: string;
  type: string;
  /** The request body as received. */
  request: Record<string, unknown>;
  /** Human-readable rendering (text body, caption, filled template body, interactive body …). */
  text?: string;
  template?: { name: string; language: string; category: string; id: string };
  mediaId?: string;
  status: OutboundStatus;
  statusHistory: Array<{ status: OutboundStatus; at: number }>;
  errors?: MetaErrorObject[];
  bizOpaqueCallbackData?: string;
  contextMessageId?: string;
  /** Whether the customer service window was open when the message was accepted. */
  windowOpenAtSend: boolean;
  /** What the status webhooks report as `pricing` (PMP). */
  pricing: { billable: boolean; pricing_model: 'PMP'; type: 'regular' | 'free_customer_service'; category: string };
  createdAt: number;
}

export interface InboundMessage {
  wamid: string;
  phoneNumberId: string;
  from: string;
  type: string;
  /** Unix seconds, as in the webhook. */
  timestamp: number;
  /** The `messages[]` item exactly as sent in the webhook. */
  message: Record<string, unknown>;
  readByBusiness: boolean;
}

export type TemplateStatus =
  | 'APPROVED'
  | 'PENDING'
  | 'REJECTED'
  | 'PAUSED'
  | 'DISABLED'
  | 'IN_APPEAL'
  | 'PENDING_DELETION'
  | 'DELETED'
  | 'ARCHIVED'
  | 'FLAGGED'
  | 'REINSTATED'
  | 'LOCKED'
  | 'LIMIT_EXCEEDED';

export type TemplateCategory = 'MARKETING' | 'UTILITY' | 'AUTHENTICATION';

export interface TemplateComponent {
  type: string;
  format?: string;
  text?: string;
  example?: Record<string, unknown>;
  buttons?: Array<Record<string, unknown>>;
  [k: string]: unknown;
}

export interface TemplateRecord {
  id: string;
  wabaId: string;
  name: string;
  language: string;
  category: TemplateCategory;
  status: TemplateStatus;
  parameterFormat: 'POSITIONAL' | 'NAMED';
  components: TemplateComponent[];
  rejectedReason: string;
  qualityScore: 'GREEN' | 'YELLOW' | 'RED' | 'UNKNOWN';
  createdAt: number;
  updatedAt: number;
}

export interface SeedTemplateInput {
  wabaId: string;
  name: string;
  language: string;
  category?: TemplateCategory;
  status?: TemplateStatus;
  components: TemplateComponent[];
  parameterFormat?: 'POSITIONAL' | 'NAMED';
  id?: string;
}

export interface MediaRecord {
  id: string;
  wabaId: string;
  phoneNumberId: string;
  mimeType: string;
  bytes: Buffer;
  /** Lower-case hex SHA-256 (the media API); webhooks carry base64. */
  sha256Hex: string;
  sha256Base64: string;
  fileSize: number;
  filename?: string;
  origin: 'upload' | 'inbound';
  createdAt: number;
  /** Media ids live 30 days (uploads) or 7 days (inbound). */
  expiresAt: number;
  deleted: boolean;
}

export interface RequestLogEntry {
  method: string;
  path: string;
  query: Record<string, unknown>;
  body: unknown;
  at: number;
  status?: number;
}

export interface WebhookLogEntry {
  payload: unknown;
  body: string;
  signature: string;
  status: number;
  attempts: number;
  at: number;
  error?: string;
}

export interface CustomerProfile {
  name?: string;
  /** Sends to this wa_id fail with 131026 (not on WhatsApp). */
  notOnWhatsApp?: boolean;
  /** Marketing templates to this wa_id fail with 131050 (user stopped marketing messages). */
  marketingOptOut?: boolean;
}
