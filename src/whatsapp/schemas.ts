import { z } from 'zod';
import { isPlausibleUnixSeconds } from './clean.js';

/**
 * Zod schemas for Meta's webhook payloads (notes §3–§7). Lenient on purpose: every object keeps
 * unknown keys, `contacts`/`messages`/`statuses`/`errors` are optional, `from`/`wa_id`/`recipient_id`
 * are optional (business-scoped user ids), timestamps are strings of unix seconds (numbers accepted).
 */

const unixSeconds = z
  .union([z.string(), z.number()])
  .transform((v) => Number(v))
  // Range-checked: 99999999999999 would become an invalid date that fails the whole transaction.
  .refine(isPlausibleUnixSeconds, 'must be unix seconds between 2001 and 2100');

const idString = z.union([z.string(), z.number()]).transform((v) => String(v));

export const MetaErrorSchema = z.looseObject({
  code: z.union([z.number(), z.string()]).transform((v) => (typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v)),
  title: z.string().optional(),
  message: z.string().optional(),
  error_data: z.looseObject({ details: z.string().optional() }).optional(),
  href: z.string().optional(),
});
export type MetaErrorPayload = z.infer<typeof MetaErrorSchema>;

export const InboundContactSchema = z.looseObject({
  profile: z.looseObject({ name: z.string().optional(), username: z.string().optional() }).optional(),
  wa_id: z.string().optional(),
  user_id: z.string().optional(),
  identity_key_hash: z.string().optional(),
});
export type InboundContact = z.infer<typeof InboundContactSchema>;

const ContextSchema = z.looseObject({
  from: z.string().optional(),
  id: z.string().optional(),
  forwarded: z.boolean().optional(),
  frequently_forwarded: z.boolean().optional(),
  referred_product: z.looseObject({}).optional(),
});

const base = {
  id: z.string().min(1),
  from: z.string().optional(),
  from_user_id: z.string().optional(),
  timestamp: unixSeconds,
  context: ContextSchema.optional(),
  referral: z.looseObject({}).optional(),
  errors: z.array(MetaErrorSchema).optional(),
};

const media = {
  id: z.string().min(1),
  mime_type: z.string().optional(),
  sha256: z.string().optional(),
  caption: z.string().optional(),
  url: z.string().optional(),
};

export const TextMessage = z.looseObject({ ...base, type: z.literal('text'), text: z.looseObject({ body: z.string() }) });
export const ImageMessage = z.looseObject({ ...base, type: z.literal('image'), image: z.looseObject(media) });
export const VideoMessage = z.looseObject({ ...base, type: z.literal('video'), video: z.looseObject(media) });
export const AudioMessage = z.looseObject({
  ...base,
  type: z.literal('audio'),
  audio: z.looseObject({ ...media, voice: z.boolean().optional() }),
});
export const DocumentMessage = z.looseObject({
  ...base,
  type: z.literal('document'),
  document: z.looseObject({ ...media, filename: z.string().optional() }),
});
export const StickerMessage = z.looseObject({
  ...base,
  type: z.literal('sticker'),
  sticker: z.looseObject({ ...media, animated: z.boolean().optional() }),
});
export const LocationMessage = z.looseObject({
  ...base,
  type: z.literal('location'),
  location: z.looseObject({
    latitude: z.number(),
    longitude: z.number(),
    name: z.string().optional(),
    address: z.string().optional(),
    url: z.string().optional(),
  }),
});
export const ContactsMessage = z.looseObject({
  ...base,
  type: z.literal('contacts'),
  contacts: z.array(
    z.looseObject({
      name: z
        .looseObject({
          formatted_name: z.string().optional(),
          first_name: z.string().optional(),
          last_name: z.string().optional(),
          middle_name: z.string().optional(),
          suffix: z.string().optional(),
          prefix: z.string().optional(),
        })
        .optional(),
      phones: z.array(z.looseObject({ phone: z.string().optional(), wa_id: z.string().optional(), type: z.string().optional() })).optional(),
      emails: z.array(z.looseObject({ email: z.string().optional(), type: z.string().optional() })).optional(),
      org: z.looseObject({ company: z.string().optional(), department: z.string().optional(), title: z.string().optional() }).optional(),
      addresses: z.array(z.looseObject({})).optional(),
      urls: z.array(z.looseObject({})).optional(),
      birthday: z.string().optional(),
    }),
  ),
});
export const InteractiveMessage = z.looseObject({
  ...base,
  type: z.literal('interactive'),
  interactive: z.union([
    z.looseObject({ type: z.literal('button_reply'), button_reply: z.looseObject({ id: z.string(), title: z.string() }) }),
    z.looseObject({
      type: z.literal('list_reply'),
      list_reply: z.looseObject({ id: z.string(), title: z.string(), description: z.string().optional() }),
    }),
    z.looseObject({ type: z.literal('nfm_reply'), nfm_reply: z.looseObject({ response_json: z.string().optional(), body: z.string().optional(), name: z.string().optional() }) }),
  ]),
});
/** A quick-reply tap on a template button. */
export const ButtonMessage = z.looseObject({
  ...base,
  type: z.literal('button'),
  button: z.looseObject({ payload: z.string().optional(), text: z.string() }),
});
/** No `emoji` means the customer removed the reaction. */
export const ReactionMessage = z.looseObject({
  ...base,
  type: z.literal('reaction'),
  reaction: z.looseObject({ message_id: z.string(), emoji: z.string().optional() }),
});
export const UnsupportedMessage = z.looseObject({
  ...base,
  type: z.literal('unsupported'),
  unsupported: z.looseObject({ type: z.string().optional() }).optional(),
});

export const InboundMessageSchema = z.discriminatedUnion('type', [
  TextMessage,
  ImageMessage,
  VideoMessage,
  AudioMessage,
  DocumentMessage,
  StickerMessage,
  LocationMessage,
  ContactsMessage,
  InteractiveMessage,
  ButtonMessage,
  ReactionMessage,
  UnsupportedMessage,
]);
export type InboundMessage = z.infer<typeof InboundMessageSchema>;
export type InboundMessageType = InboundMessage['type'];
export const MEDIA_MESSAGE_TYPES = ['image', 'video', 'audio', 'document', 'sticker'] as const;
export type MediaMessageType = (typeof MEDIA_MESSAGE_TYPES)[number];

/** Enough of any message item to keep it as `unsupported` when it does not match its type's schema. */
export const MessageEnvelopeSchema = z.looseObject({
  id: z.string().min(1),
  type: z.string().optional(),
  from: z.string().optional(),
  from_user_id: z.string().optional(),
  timestamp: unixSeconds,
  errors: z.array(MetaErrorSchema).optional(),
});

export const StatusSchema = z.looseObject({
  id: z.string().min(1),
  status: z.string(),
  timestamp: unixSeconds,
  recipient_id: z.string().optional(),
  recipient_user_id: z.string().optional(),
  recipient_parent_user_id: z.string().optional(),
  biz_opaque_callback_data: z.string().optional(),
  conversation: z.looseObject({}).optional(),
  pricing: z.looseObject({}).optional(),
  errors: z.array(MetaErrorSchema).optional(),
});
export type StatusPayload = z.infer<typeof StatusSchema>;

export const MessagesValueSchema = z.looseObject({
  messaging_product: z.string().optional(),
  metadata: z.looseObject({ display_phone_number: z.string().optional(), phone_number_id: idString }),
  contacts: z.array(InboundContactSchema).optional(),
  messages: z.array(z.unknown()).optional(),
  statuses: z.array(z.unknown()).optional(),
  errors: z.array(MetaErrorSchema).optional(),
});

export const TemplateStatusValueSchema = z.looseObject({
  event: z.string(),
  message_template_id: idString.optional(),
  message_template_name: z.string().optional(),
  message_template_language: z.string().optional(),
  message_template_category: z.string().optional(),
  reason: z.string().nullable().optional(),
  rejection_info: z.looseObject({ reason: z.string().optional(), recommendation: z.string().optional() }).optional(),
  other_info: z.looseObject({ title: z.string().optional(), description: z.string().optional() }).optional(),
  disable_info: z.looseObject({ disable_date: z.union([z.string(), z.number()]).optional() }).optional(),
});

export const TemplateQualityValueSchema = z.looseObject({
  message_template_id: idString.optional(),
  message_template_name: z.string().optional(),
  message_template_language: z.string().optional(),
  previous_quality_score: z.string().optional(),
  new_quality_score: z.string(),
});

export const TemplateCategoryValueSchema = z.looseObject({
  message_template_id: idString.optional(),
  message_template_name: z.string().optional(),
  message_template_language: z.string().optional(),
  previous_category: z.string().optional(),
  new_category: z.string().optional(),
});

export const PhoneQualityValueSchema = z.looseObject({
  display_phone_number: z.string().optional(),
  event: z.string(),
  current_limit: z.string().optional(),
  old_limit: z.string().optional(),
  max_daily_conversations_per_business: z.union([z.string(), z.number()]).optional(),
});

export const WebhookEnvelopeSchema = z.looseObject({
  object: z.string(),
  entry: z.array(
    z.looseObject({
      id: idString,
      time: z.number().optional(),
      changes: z.array(z.looseObject({ field: z.string(), value: z.unknown() })).default([]),
    }),
  ),
});
