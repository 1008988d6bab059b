import {
  InboundMessageSchema,
  MessageEnvelopeSchema,
  MessagesValueSchema,
  MetaErrorSchema,
  PhoneQualityValueSchema,
  StatusSchema,
  TemplateCategoryValueSchema,
  TemplateQualityValueSchema,
  TemplateStatusValueSchema,
  WebhookEnvelopeSchema,
  type InboundContact,
  type InboundMessage,
  type MetaErrorPayload,
  type StatusPayload,
} from './schemas.js';

/** One thing a webhook POST told us, in the order it appeared. */
export type WebhookItem =
  | { kind: 'message'; wabaId: string; phoneNumberId: string; displayPhoneNumber?: string; message: InboundMessage; contact?: InboundContact; problem?: string }
  | { kind: 'status'; wabaId: string; phoneNumberId: string; status: StatusPayload }
  | { kind: 'value_errors'; wabaId: string; phoneNumberId: string; errors: MetaErrorPayload[] }
  | { kind: 'template_status'; wabaId: string; value: ReturnType<typeof TemplateStatusValueSchema.parse> }
  | { kind: 'template_quality'; wabaId: string; value: ReturnType<typeof TemplateQualityValueSchema.parse> }
  | { kind: 'template_category'; wabaId: string; value: ReturnType<typeof TemplateCategoryValueSchema.parse> }
  | { kind: 'phone_quality'; wabaId: string; value: ReturnType<typeof PhoneQualityValueSchema.parse> }
  | { kind: 'ignored'; wabaId: string; field: string };

export interface ParsedWebhook {
  items: WebhookItem[];
  /** Parts that could not be understood (kept in the stored raw payload, reported in the event summary). */
  problems: string[];
}

export class InvalidWebhookError extends Error {}

const STATUS_VALUES = new Set(['sent', 'delivered', 'read', 'failed', 'played']);

/** Meta's webhook form `en-US` → the API form `en_US`. */
export function normalizeLanguage(lang: string): string {
  return lang.replace('-', '_');
}

function firstIssue(err: { issues: { path: PropertyKey[]; message: string }[] }): string {
  const i = err.issues[0];
  return i ? `${i.path.map(String).join('.') || '(root)'}: ${i.message}` : 'invalid';
}

/**
 * A message item as its type's schema, or — for unknown types (order, system, request_welcome…)
 * and items that do not match their schema — kept as `unsupported` with the original type.
 */
export function parseInboundMessage(raw: unknown): { message: InboundMessage; problem?: string } | { error: string } {
  const parsed = InboundMessageSchema.safeParse(raw);
  if (parsed.success) return { message: parsed.data };
  const env = MessageEnvelopeSchema.safeParse(raw);
  if (!env.success) return { error: `message without id/timestamp: ${firstIssue(env.error)}` };
  const originalType = env.data.type ?? 'unknown';
  const known = InboundMessageSchema.options.some((o) => o.shape.type.value === originalType);
  const message = {
    ...(raw as Record<string, unknown>),
    id: env.data.id,
    timestamp: env.data.timestamp,
    type: 'unsupported',
    unsupported: { type: originalType },
    original_type: originalType,
  } as InboundMessage;
  return { message, problem: known ? `${originalType} message did not match its schema: ${firstIssue(parsed.error)}` : undefined };
}

function contactFor(contacts: InboundContact[] | undefined, m: InboundMessage): InboundContact | undefined {
  if (!contacts?.length) return undefined;
  return (
    contacts.find((c) => (m.from && c.wa_id === m.from) || (m.from_user_id && c.user_id === m.from_user_id)) ??
    (contacts.length === 1 ? contacts[0] : undefined)
  );
}

/** Parses a whole POST body: every entry, every change, every message, status and error. Never throws on content. */
export function parseWebhook(body: unknown): ParsedWebhook {
  const env = WebhookEnvelopeSchema.safeParse(body);
  if (!env.success) throw new InvalidWebhookError(`not a webhook envelope: ${firstIssue(env.error)}`);
  if (env.data.object !== 'whatsapp_business_account') throw new InvalidWebhookError(`unexpected object "${env.data.object}"`);
  const items: WebhookItem[] = [];
  const problems: string[] = [];
  for (const entry of env.data.entry) {
    const wabaId = entry.id;
    for (const change of entry.changes) {
      const field = change.field;
      switch (field) {
        case 'messages': {
          const v = MessagesValueSchema.safeParse(change.value);
          if (!v.success) {
            problems.push(`messages value: ${firstIssue(v.error)}`);
            continue;
          }
          const phoneNumberId = v.data.metadata.phone_number_id;
          const displayPhoneNumber = v.data.metadata.display_phone_number;
          for (const raw of v.data.messages ?? []) {
            const r = parseInboundMessage(raw);
            if ('error' in r) {
              problems.push(r.error);
              continue;
            }
            if (r.problem) problems.push(r.problem);
            items.push({ kind: 'message', wabaId, phoneNumberId, displayPhoneNumber, message: r.message, contact: contactFor(v.data.contacts, r.message), problem: r.problem });
          }
          for (const raw of v.data.statuses ?? []) {
            const s = StatusSchema.safeParse(raw);
            if (!s.success) {
              problems.push(`status: ${firstIssue(s.error)}`);
              continue;
            }
            if (!STATUS_VALUES.has(s.data.status)) {
              problems.push(`status "${s.data.status}" ignored`);
              continue;
            }
            items.push({ kind: 'status', wabaId, phoneNumberId, status: s.data });
          }
          if (v.data.errors?.length) items.push({ kind: 'value_errors', wabaId, phoneNumberId, errors: v.data.errors });
          break;
        }
        case 'message_template_status_update': {
          const v = TemplateStatusValueSchema.safeParse(change.value);
          if (v.success) items.push({ kind: 'template_status', wabaId, value: v.data });
          else {
            // Meta has shown quality updates under this field name (notes §6.2): route by shape.
            const q = TemplateQualityValueSchema.safeParse(change.value);
            if (q.success) items.push({ kind: 'template_quality', wabaId, value: q.data });
            else problems.push(`${field}: ${firstIssue(v.error)}`);
          }
          break;
        }
        case 'message_template_quality_update': {
          const v = TemplateQualityValueSchema.safeParse(change.value);
          if (v.success) items.push({ kind: 'template_quality', wabaId, value: v.data });
          else problems.push(`${field}: ${firstIssue(v.error)}`);
          break;
        }
        case 'template_category_update': {
          const v = TemplateCategoryValueSchema.safeParse(change.value);
          if (v.success) items.push({ kind: 'template_category', wabaId, value: v.data });
          else problems.push(`${field}: ${firstIssue(v.error)}`);
          break;
        }
        case 'phone_number_quality_update': {
          const v = PhoneQualityValueSchema.safeParse(change.value);
          if (v.success) items.push({ kind: 'phone_quality', wabaId, value: v.data });
          else problems.push(`${field}: ${firstIssue(v.error)}`);
          break;
        }
        default:
          items.push({ kind: 'ignored', wabaId, field });
      }
    }
  }
  return { items, problems };
}

export function metaErrorToJson(e: MetaErrorPayload): { code: number | string; title: string; message: string; details: string | null; href: string | null } {
  const title = e.title ?? e.message ?? 'Error';
  return { code: e.code, title, message: e.message ?? title, details: e.error_data?.details ?? null, href: e.href ?? null };
}

export { MetaErrorSchema };
