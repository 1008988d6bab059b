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
import { exceedsDepth, MAX_ITEM_DEPTH } from './clean.js';

/** One thing a webhook POST told us, in the order it appeared; `ref` is its path in the body. */
export type WebhookItem = { ref: string } & (
  | { kind: 'message'; wabaId: string; phoneNumberId: string; displayPhoneNumber?: string; message: InboundMessage; contact?: InboundContact; problem?: string }
  | { kind: 'status'; wabaId: string; phoneNumberId: string; status: StatusPayload }
  | { kind: 'value_errors'; wabaId: string; phoneNumberId: string; errors: MetaErrorPayload[] }
  | { kind: 'template_status'; wabaId: string; value: ReturnType<typeof TemplateStatusValueSchema.parse> }
  | { kind: 'template_quality'; wabaId: string; value: ReturnType<typeof TemplateQualityValueSchema.parse> }
  | { kind: 'template_category'; wabaId: string; value: ReturnType<typeof TemplateCategoryValueSchema.parse> }
  | { kind: 'phone_quality'; wabaId: string; value: ReturnType<typeof PhoneQualityValueSchema.parse> }
  | { kind: 'ignored'; wabaId: string; field: string }
);

/** A part of the body that cannot be processed as it is: quarantined with its reason, never silently dropped. */
export interface RejectedItem {
  ref: string;
  kind: 'message' | 'status' | 'change';
  /** The wamid when the item has one. */
  key?: string;
  reason: string;
}

export interface ParsedWebhook {
  items: WebhookItem[];
  /** Parts that could not be understood (kept in the stored raw payload, reported in the event summary). */
  problems: string[];
  /** Parts refused (unreadable, timestamp out of range, nested too deep): quarantined by processing. */
  rejected: RejectedItem[];
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
  if (!env.success) return { error: `message without a valid id/timestamp: ${firstIssue(env.error)}` };
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

function idOf(raw: unknown): string | undefined {
  const id = (raw as { id?: unknown } | null)?.id;
  return typeof id === 'string' && id ? id : undefined;
}

/** Parses a whole POST body: every entry, every change, every message, status and error. Never throws on content. */
export function parseWebhook(body: unknown): ParsedWebhook {
  const env = WebhookEnvelopeSchema.safeParse(body);
  if (!env.success) throw new InvalidWebhookError(`not a webhook envelope: ${firstIssue(env.error)}`);
  if (env.data.object !== 'whatsapp_business_account') throw new InvalidWebhookError(`unexpected object "${env.data.object}"`);
  const out: ParsedWebhook = { items: [], problems: [], rejected: [] };
  env.data.entry.forEach((entry, e) => {
    entry.changes.forEach((change, c) => {
      const ref = `entry[${e}].changes[${c}]`;
      if (change.field === 'messages') parseMessagesChange(out, ref, entry.id, change.value);
      else parseOtherChange(out, ref, entry.id, change.field, change.value);
    });
  });
  return out;
}

function reject(out: ParsedWebhook, r: RejectedItem): void {
  out.problems.push(r.reason);
  out.rejected.push(r);
}

function parseMessagesChange(out: ParsedWebhook, ref: string, wabaId: string, value: unknown): void {
  const v = MessagesValueSchema.safeParse(value);
  if (!v.success) return reject(out, { ref, kind: 'change', reason: `messages value: ${firstIssue(v.error)}` });
  const phoneNumberId = v.data.metadata.phone_number_id;
  const displayPhoneNumber = v.data.metadata.display_phone_number;
  (v.data.messages ?? []).forEach((raw, i) => {
    const itemRef = `${ref}.value.messages[${i}]`;
    if (exceedsDepth(raw)) return reject(out, { ref: itemRef, kind: 'message', key: idOf(raw), reason: `message nested deeper than ${MAX_ITEM_DEPTH} levels` });
    const r = parseInboundMessage(raw);
    if ('error' in r) return reject(out, { ref: itemRef, kind: 'message', key: idOf(raw), reason: r.error });
    if (r.problem) out.problems.push(r.problem);
    out.items.push({ ref: itemRef, kind: 'message', wabaId, phoneNumberId, displayPhoneNumber, message: r.message, contact: contactFor(v.data.contacts, r.message), problem: r.problem });
  });
  (v.data.statuses ?? []).forEach((raw, i) => {
    const itemRef = `${ref}.value.statuses[${i}]`;
    if (exceedsDepth(raw)) return reject(out, { ref: itemRef, kind: 'status', key: idOf(raw), reason: `status nested deeper than ${MAX_ITEM_DEPTH} levels` });
    const s = StatusSchema.safeParse(raw);
    if (!s.success) return reject(out, { ref: itemRef, kind: 'status', key: idOf(raw), reason: `status: ${firstIssue(s.error)}` });
    if (!STATUS_VALUES.has(s.data.status)) return void out.problems.push(`status "${s.data.status}" ignored`);
    out.items.push({ ref: itemRef, kind: 'status', wabaId, phoneNumberId, status: s.data });
  });
  if (v.data.errors?.length) out.items.push({ ref: `${ref}.value.errors`, kind: 'value_errors', wabaId, phoneNumberId, errors: v.data.errors });
}

function parseOtherChange(out: ParsedWebhook, ref: string, wabaId: string, field: string, value: unknown): void {
  const known = ['message_template_status_update', 'message_template_quality_update', 'template_category_update', 'phone_number_quality_update'];
  if (!known.includes(field)) return void out.items.push({ ref, kind: 'ignored', wabaId, field });
  if (exceedsDepth(value)) return reject(out, { ref, kind: 'change', reason: `${field} nested deeper than ${MAX_ITEM_DEPTH} levels` });
  const failed = (issue: string) => reject(out, { ref, kind: 'change', reason: `${field}: ${issue}` });
  switch (field) {
    case 'message_template_status_update': {
      const v = TemplateStatusValueSchema.safeParse(value);
      if (v.success) return void out.items.push({ ref, kind: 'template_status', wabaId, value: v.data });
      // Meta has shown quality updates under this field name (notes §6.2): route by shape.
      const q = TemplateQualityValueSchema.safeParse(value);
      return q.success ? void out.items.push({ ref, kind: 'template_quality', wabaId, value: q.data }) : failed(firstIssue(v.error));
    }
    case 'message_template_quality_update': {
      const v = TemplateQualityValueSchema.safeParse(value);
      return v.success ? void out.items.push({ ref, kind: 'template_quality', wabaId, value: v.data }) : failed(firstIssue(v.error));
    }
    case 'template_category_update': {
      const v = TemplateCategoryValueSchema.safeParse(value);
      return v.success ? void out.items.push({ ref, kind: 'template_category', wabaId, value: v.data }) : failed(firstIssue(v.error));
    }
    default: {
      const v = PhoneQualityValueSchema.safeParse(value);
      return v.success ? void out.items.push({ ref, kind: 'phone_quality', wabaId, value: v.data }) : failed(firstIssue(v.error));
    }
  }
}

export function metaErrorToJson(e: MetaErrorPayload): { code: number | string; title: string; message: string; details: string | null; href: string | null } {
  const title = e.title ?? e.message ?? 'Error';
  return { code: e.code, title, message: e.message ?? title, details: e.error_data?.details ?? null, href: e.href ?? null };
}

export { MetaErrorSchema };
