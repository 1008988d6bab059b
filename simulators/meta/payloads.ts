// Builders for webhook payloads, in the exact shapes of Meta's examples (shared/fixtures/whatsapp/*.json).
import type { MetaErrorObject } from './types.js';

export interface NumberRef {
  phoneNumberId: string;
  wabaId: string;
  displayPhoneNumber: string;
}

export type Json = Record<string, unknown>;

export const digits = (s: string): string => s.replace(/\D/g, '');

// ---- envelopes -----------------------------------------------------------------------------------

/** `messages` field envelope (fixtures 01-17). `contacts` only accompanies inbound messages. */
export function messagesEnvelope(n: NumberRef, value: Json): Json {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: n.wabaId,
        changes: [
          {
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: digits(n.displayPhoneNumber), phone_number_id: n.phoneNumberId },
              ...value,
            },
            field: 'messages',
          },
        ],
      },
    ],
  };
}

/** Management-field envelope (fixtures 18-20): `entry[].time`, no metadata, `object` last. */
export function accountEnvelope(wabaId: string, timeSec: number, field: string, value: Json): Json {
  return {
    entry: [{ id: wabaId, time: timeSec, changes: [{ value, field }] }],
    object: 'whatsapp_business_account',
  };
}

// ---- inbound messages (`value.messages[]`) --------------------------------------------------------

export interface InboundBase {
  from: string;
  id: string;
  timestamp: number; // unix seconds
  /** wamid of the business message being replied to; context.from is the business number. */
  context?: { from: string; id: string } | { forwarded: true } | { frequently_forwarded: true };
  referral?: Json;
}

export function inboundPayload(n: NumberRef, contact: { name: string; waId: string }, message: Json): Json {
  return messagesEnvelope(n, {
    contacts: [{ profile: { name: contact.name }, wa_id: contact.waId }],
    messages: [message],
  });
}

function base(b: InboundBase, type: string): Json {
  const m: Json = {};
  if (b.context) m.context = b.context;
  if (b.referral) m.referral = b.referral;
  m.from = digits(b.from);
  m.id = b.id;
  m.timestamp = String(b.timestamp);
  m.type = type;
  return m;
}

export function textMessage(b: InboundBase, body: string): Json {
  return { ...base(b, 'text'), text: { body } };
}

export type MediaKind = 'image' | 'document' | 'audio' | 'video' | 'sticker';

export interface InboundMedia {
  id: string;
  mimeType: string;
  sha256Base64: string;
  caption?: string;
  filename?: string;
  url?: string;
  voice?: boolean;
  animated?: boolean;
}

export function mediaMessage(b: InboundBase, kind: MediaKind, m: InboundMedia): Json {
  const o: Json = {};
  // Key order as in Meta's examples: caption, filename, mime_type, sha256, id, url, voice / animated.
  if (m.caption !== undefined && (kind === 'image' || kind === 'video' || kind === 'document')) o.caption = m.caption;
  if (kind === 'document') o.filename = m.filename ?? 'file';
  o.mime_type = m.mimeType;
  o.sha256 = m.sha256Base64;
  o.id = m.id;
  if (m.url) o.url = m.url;
  if (kind === 'audio') o.voice = m.voice ?? false;
  if (kind === 'sticker') o.animated = m.animated ?? false;
  return { ...base(b, kind), [kind]: o };
}

export interface LocationInput {
  latitude: number;
  longitude: number;
  name?: string;
  address?: string;
  url?: string;
}

export function locationMessage(b: InboundBase, l: LocationInput): Json {
  const loc: Json = {};
  if (l.address !== undefined) loc.address = l.address;
  loc.latitude = l.latitude;
  loc.longitude = l.longitude;
  if (l.name !== undefined) loc.name = l.name;
  if (l.url !== undefined) loc.url = l.url;
  return { ...base(b, 'location'), location: loc };
}

export interface ContactCard {
  name: { formatted_name: string; first_name?: string; last_name?: string; middle_name?: string; suffix?: string; prefix?: string };
  org?: { company?: string; department?: string; title?: string };
  phones?: Array<{ phone: string; wa_id?: string; type?: string }>;
  emails?: Array<{ email: string; type?: string }>;
  addresses?: Array<Record<string, string>>;
  urls?: Array<{ url: string; type?: string }>;
  birthday?: string;
}

export function contactsMessage(b: InboundBase, contacts: ContactCard[]): Json {
  return { ...base(b, 'contacts'), contacts };
}

export function buttonReplyMessage(b: InboundBase, id: string, title: string): Json {
  return { ...base(b, 'interactive'), interactive: { type: 'button_reply', button_reply: { id, title } } };
}

export function listReplyMessage(b: InboundBase, id: string, title: string, description?: string): Json {
  const list_reply: Json = { id, title };
  if (description !== undefined) list_reply.description = description;
  return { ...base(b, 'interactive'), interactive: { type: 'list_reply', list_reply } };
}

export function templateButtonMessage(b: InboundBase, payload: string, text: string): Json {
  return { ...base(b, 'button'), button: { payload, text } };
}

/** A reaction; without `emoji` it means the reaction was removed. */
export function reactionMessage(b: InboundBase, messageId: string, emoji?: string): Json {
  const reaction: Json = { message_id: messageId };
  if (emoji) reaction.emoji = emoji;
  return { ...base(b, 'reaction'), reaction };
}

export function unsupportedMessage(b: InboundBase, unsupportedType: string): Json {
  const m = base(b, 'unsupported');
  const { type, ...rest } = m;
  return {
    ...rest,
    errors: [
      {
        code: 131051,
        title: 'Message type unknown',
        message: 'Message type unknown',
        error_data: { details: 'Message type is currently not supported.' },
      },
    ],
    type,
    unsupported: { type: unsupportedType },
  };
}

/** Value-level errors with no message (fixture 14). */
export function valueErrorsPayload(n: NumberRef, errs: MetaErrorObject[]): Json {
  return messagesEnvelope(n, { errors: errs });
}

// ---- statuses (`value.statuses[]`) ----------------------------------------------------------------

export interface StatusInput {
  id: string;
  status: 'sent' | 'delivered' | 'read' | 'failed';
  timestamp: number;
  recipientId: string;
  conversation?: { id: string; expirationTimestamp?: number; originType: string };
  pricing?: { billable: boolean; pricingModel: string; type: string; category: string };
  bizOpaqueCallbackData?: string;
  errors?: MetaErrorObject[];
}

export function statusObject(s: StatusInput): Json {
  const o: Json = { id: s.id, status: s.status, timestamp: String(s.timestamp), recipient_id: s.recipientId };
  if (s.bizOpaqueCallbackData !== undefined) o.biz_opaque_callback_data = s.bizOpaqueCallbackData;
  if (s.conversation) {
    const c: Json = { id: s.conversation.id };
    if (s.conversation.expirationTimestamp !== undefined) c.expiration_timestamp = String(s.conversation.expirationTimestamp);
    c.origin = { type: s.conversation.originType };
    o.conversation = c;
  }
  if (s.pricing) {
    o.pricing = {
      billable: s.pricing.billable,
      pricing_model: s.pricing.pricingModel,
      type: s.pricing.type,
      category: s.pricing.category,
    };
  }
  if (s.errors) o.errors = s.errors;
  return o;
}

export function statusPayload(n: NumberRef, s: StatusInput): Json {
  return messagesEnvelope(n, { statuses: [statusObject(s)] });
}

// ---- management fields ------------------------------------------------------------------------

export interface TemplateStatusInput {
  event: string;
  templateId: string;
  name: string;
  language: string; // API form (en_US); the webhook uses en-US
  category: string;
  reason?: string | null;
  rejectionInfo?: { reason: string; recommendation: string };
  otherInfo?: { title: string; description: string };
}

export function templateStatusPayload(wabaId: string, timeSec: number, t: TemplateStatusInput): Json {
  const value: Json = {
    event: t.event,
    message_template_id: Number(t.templateId),
    message_template_name: t.name,
    message_template_language: t.language.replace(/_/g, '-'),
    reason: t.reason === undefined ? 'NONE' : t.reason,
    message_template_category: t.category,
  };
  if (t.rejectionInfo) value.rejection_info = t.rejectionInfo;
  if (t.otherInfo) value.other_info = t.otherInfo;
  return accountEnvelope(wabaId, timeSec, 'message_template_status_update', value);
}

export function qualityUpdatePayload(
  wabaId: string,
  timeSec: number,
  q: { displayPhoneNumber: string; event: string; currentLimit?: string; oldLimit?: string; maxDailyConversationsPerBusiness?: string },
): Json {
  const value: Json = { display_phone_number: digits(q.displayPhoneNumber), event: q.event };
  if (q.oldLimit !== undefined) value.old_limit = q.oldLimit;
  if (q.currentLimit !== undefined) value.current_limit = q.currentLimit;
  if (q.maxDailyConversationsPerBusiness !== undefined) value.max_daily_conversations_per_business = q.maxDailyConversationsPerBusiness;
  return accountEnvelope(wabaId, timeSec, 'phone_number_quality_update', value);
}
