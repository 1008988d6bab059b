import type { PoolClient } from 'pg';
import type { AppContext } from '../app-context.js';
import { upsertWhatsAppContact } from '../contacts/contacts-repo.js';
import { applyTemplateQuality, applyTemplateStatus } from '../templates/repo.js';
import { reasonFor } from './meta-errors.js';
import { numberByPhoneNumberId, type NumberRow } from './numbers.js';
import { metaErrorToJson, normalizeLanguage, type WebhookItem } from './parse.js';
import { MEDIA_MESSAGE_TYPES, type InboundMessage, type MediaMessageType } from './schemas.js';
import { advanceStatus, recordStatus } from './status.js';

export const MEDIA_QUEUE = 'whatsapp.media-download';

export interface Summary {
  messages: number;
  duplicates: number;
  statuses: number;
  statusesApplied: number;
  unrouted: string[];
  valueErrors: unknown[];
  templates: number;
  ignored: string[];
  problems: string[];
  /** Items (or parts) of this event that were quarantined instead of processed. */
  quarantined: number;
}

/**
 * The state of applying one event's items inside its transaction: the number lookups, the counts
 * and the WABAs to re-sync. `snapshot`/`restore` undo an item's counts when its savepoint rolls back.
 */
export class EventRun {
  readonly summary: Summary;
  routed = 0;
  syncWabas = new Set<string>();
  constructor(
    readonly ctx: AppContext,
    readonly c: PoolClient,
    problems: string[] = [],
    /** Number rows looked up in this transaction (shared by the events of one drain pass). */
    private readonly numbers = new Map<string, NumberRow | null>(),
  ) {
    this.summary = { messages: 0, duplicates: 0, statuses: 0, statusesApplied: 0, unrouted: [], valueErrors: [], templates: 0, ignored: [], problems, quarantined: 0 };
  }

  async numberOf(pnid: string): Promise<NumberRow | null> {
    if (!this.numbers.has(pnid)) this.numbers.set(pnid, (await numberByPhoneNumberId(this.c, pnid)) ?? null);
    const n = this.numbers.get(pnid) ?? null;
    if (!n && !this.summary.unrouted.includes(pnid)) this.summary.unrouted.push(pnid);
    return n;
  }

  snapshot(): { summary: Summary; routed: number; syncWabas: Set<string> } {
    return { summary: structuredClone(this.summary), routed: this.routed, syncWabas: new Set(this.syncWabas) };
  }

  restore(s: ReturnType<EventRun['snapshot']>): void {
    Object.assign(this.summary, s.summary);
    this.routed = s.routed;
    this.syncWabas = s.syncWabas;
  }
}

/** The wamid (and status) an item is about, for the quarantine list. */
export function itemKey(item: WebhookItem): string | undefined {
  if (item.kind === 'message') return item.message.id;
  if (item.kind === 'status') return `${item.status.id}:${item.status.status}`;
  return undefined;
}

/** Applies one item; throws when it cannot (the caller isolates it in a savepoint and quarantines it). */
export async function applyItem(run: EventRun, item: WebhookItem): Promise<void> {
  const { ctx, c, summary } = run;
  switch (item.kind) {
    case 'message': {
      const n = await run.numberOf(item.phoneNumberId);
      if (!n) return;
      run.routed++;
      return storeInbound(ctx, c, n, item, summary);
    }
    case 'status': {
      const n = await run.numberOf(item.phoneNumberId);
      if (!n) return;
      run.routed++;
      summary.statuses++;
      if (await storeStatus(ctx, c, n, item.status)) summary.statusesApplied++;
      return;
    }
    case 'value_errors': {
      const n = await run.numberOf(item.phoneNumberId);
      const errors = item.errors.map(metaErrorToJson);
      summary.valueErrors.push(...errors);
      ctx.logger.warn({ phoneNumberId: item.phoneNumberId, portalId: n?.portal_id, errors }, 'whatsapp reported errors for a number');
      if (n) run.routed++;
      return;
    }
    case 'template_status':
    case 'template_quality':
    case 'template_category':
      summary.templates++;
      return applyTemplateItem(run, item);
    case 'phone_quality':
      return applyPhoneQuality(c, item);
    case 'ignored':
      if (!summary.ignored.includes(item.field)) summary.ignored.push(item.field);
      return;
  }
}

async function applyTemplateItem(run: EventRun, item: Extract<WebhookItem, { kind: 'template_status' | 'template_quality' | 'template_category' }>): Promise<void> {
  const { ctx, c } = run;
  // Meta re-categorised a template (its price changes): re-read the WABA's templates.
  if (item.kind === 'template_category') return void run.syncWabas.add(item.wabaId);
  const v = item.value;
  const language = v.message_template_language ? normalizeLanguage(v.message_template_language) : undefined;
  if (item.kind === 'template_quality') {
    const q = item.value;
    await applyTemplateQuality(c, { wabaId: item.wabaId, metaTemplateId: q.message_template_id, name: q.message_template_name, language, score: q.new_quality_score, at: ctx.clock.now() });
    return;
  }
  const s = item.value;
  const found = await applyTemplateStatus(c, {
    wabaId: item.wabaId,
    metaTemplateId: s.message_template_id,
    name: s.message_template_name,
    language,
    event: s.event,
    reason: s.reason ?? null,
    category: s.message_template_category,
    detail: { reason: s.reason ?? null, rejection_info: s.rejection_info ?? null, other_info: s.other_info ?? null, disable_info: s.disable_info ?? null },
    at: ctx.clock.now(),
  });
  if (!found) run.syncWabas.add(item.wabaId);
}

async function applyPhoneQuality(c: PoolClient, item: Extract<WebhookItem, { kind: 'phone_quality' }>): Promise<void> {
  const v = item.value;
  const digits = (v.display_phone_number ?? '').replace(/\D/g, '');
  await c.query(
    `UPDATE whatsapp_numbers SET
       messaging_limit_tier = COALESCE($3, messaging_limit_tier),
       throughput_per_second = CASE WHEN $4 = 'THROUGHPUT_UPGRADE' THEN GREATEST(COALESCE(throughput_per_second, 0), 1000) ELSE throughput_per_second END,
       last_quality_event = $5::jsonb, updated_at = now()
     WHERE waba_id = $1 AND ($2 = '' OR regexp_replace(COALESCE(display_phone_number, ''), '\\D', '', 'g') = $2)`,
    [item.wabaId, digits, v.current_limit ?? null, v.event, JSON.stringify(v)],
  );
}

/** The text a rep and the timeline see for an inbound message. */
export function inboundText(m: InboundMessage): string | null {
  switch (m.type) {
    case 'text':
      return m.text.body;
    case 'image':
      return m.image.caption ?? null;
    case 'video':
      return m.video.caption ?? null;
    case 'document':
      return m.document.caption ?? m.document.filename ?? null;
    case 'audio':
      return m.audio.voice ? 'Voice message' : 'Audio';
    case 'sticker':
      return 'Sticker';
    case 'location': {
      const l = m.location;
      const where = [l.name, l.address].filter(Boolean).join(', ');
      return `📍 ${where || `${l.latitude}, ${l.longitude}`}`;
    }
    case 'contacts':
      return `👤 ${m.contacts.map((c) => c.name?.formatted_name ?? [c.name?.first_name, c.name?.last_name].filter(Boolean).join(' ') ?? c.phones?.[0]?.phone ?? 'Contact').join(', ')}`;
    case 'interactive': {
      const i = m.interactive;
      if (i.type === 'button_reply') return i.button_reply.title;
      if (i.type === 'list_reply') return i.list_reply.title;
      return i.nfm_reply.body ?? 'Form reply';
    }
    case 'button':
      return m.button.text;
    case 'reaction':
      return m.reaction.emoji ? `Reacted ${m.reaction.emoji}` : 'Removed a reaction';
    case 'unsupported': {
      const t = m.unsupported?.type;
      return `Unsupported message${t ? ` (${t})` : ''}`;
    }
  }
}

function mediaOf(m: InboundMessage): { id: string; mime_type?: string; sha256?: string; filename?: string } | undefined {
  if (!(MEDIA_MESSAGE_TYPES as readonly string[]).includes(m.type)) return undefined;
  return (m as unknown as Record<MediaMessageType, { id: string; mime_type?: string; sha256?: string; filename?: string }>)[m.type as MediaMessageType];
}

function b64ToHex(s: string | undefined): string | null {
  if (!s) return null;
  if (/^[0-9a-f]{64}$/.test(s)) return s;
  const b = Buffer.from(s, 'base64');
  return b.length === 32 ? b.toString('hex') : null;
}

async function storeInbound(ctx: AppContext, c: PoolClient, n: NumberRow, item: Extract<WebhookItem, { kind: 'message' }>, summary: Summary): Promise<void> {
  const m = item.message;
  const waId = item.contact?.wa_id ?? m.from ?? null;
  const bsuid = m.from_user_id ?? item.contact?.user_id ?? null;
  if (!waId && !bsuid) {
    summary.problems.push(`message ${m.id} names no customer (no from, wa_id or user id)`);
    return;
  }
  const sentAt = new Date(m.timestamp * 1000);
  const contact = await upsertWhatsAppContact(c, {
    portalId: n.portal_id,
    waId,
    bsuid,
    profileName: item.contact?.profile?.name ?? null,
    // A reaction does not (knowingly) open the customer service window (notes §12).
    lastInboundAt: m.type === 'reaction' ? null : sentAt,
  });
  const ins = await c.query<{ id: number }>(
    `INSERT INTO messages (portal_id, contact_id, phone_number_id, wamid, direction, type, text, payload, status, sender, sent_at, status_at)
     VALUES ($1, $2, $3, $4, 'in', $5, $6, $7::jsonb, 'received', 'customer', $8, $8)
     ON CONFLICT (wamid) DO NOTHING RETURNING id`,
    [n.portal_id, contact.id, n.phone_number_id, m.id, m.type, inboundText(m), JSON.stringify(m), sentAt],
  );
  const id = ins.rows[0]?.id;
  if (!id) {
    summary.duplicates++;
    return;
  }
  summary.messages++;
  await ctx.events.emit('message.inbound', { messageId: id, portalId: n.portal_id }, { client: c, fairKey: `portal:${n.portal_id}` });
  const media = mediaOf(m);
  if (media) {
    const mo = await c.query<{ id: number }>(
      `INSERT INTO media_objects (portal_id, contact_id, message_id, direction, phone_number_id, meta_media_id, mime_type, sha256, filename)
       VALUES ($1, $2, $3, 'in', $4, $5, $6, $7, $8) RETURNING id`,
      [n.portal_id, contact.id, id, n.phone_number_id, media.id, media.mime_type ?? null, b64ToHex(media.sha256), media.filename ?? null],
    );
    await ctx.jobs.send(MEDIA_QUEUE, { mediaObjectId: mo.rows[0]!.id }, { client: c });
  }
}

async function storeStatus(ctx: AppContext, c: PoolClient, n: NumberRow, s: Extract<WebhookItem, { kind: 'status' }>['status']): Promise<boolean> {
  const at = new Date(s.timestamp * 1000);
  const firstError = s.errors?.[0];
  const error = firstError ? { ...metaErrorToJson(firstError), reason: reasonFor(firstError.code) } : null;
  // Kept, and applied to the message with this wamid on the number the webhook came for (and so
  // its portal): a wamid names a message of that number only.
  const recorded = await recordStatus(c, ctx.events, {
    wamid: s.id,
    status: s.status,
    phoneNumberId: n.phone_number_id,
    portalId: n.portal_id,
    at,
    recipientId: s.recipient_id ?? s.recipient_user_id ?? null,
    error,
    pricing: s.pricing,
    conversation: s.conversation,
    callbackData: s.biz_opaque_callback_data ?? null,
  });
  if (recorded.messageId !== undefined) return recorded.moved;
  // The send call has not stored the wamid (yet, or ever: its process died before Meta's answer
  // was stored): our callback data names the message. Announce it, as the sender would have
  // (the timeline logs a message once however often this is emitted).
  const m = /^m:(\d+)$/.exec(s.biz_opaque_callback_data ?? '');
  if (!m) return false; // kept in message_status_events; applied when the sender stores the wamid
  const r = await c.query<{ id: number }>(
    `UPDATE messages SET wamid = $2 WHERE id = $1 AND direction = 'out' AND portal_id = $3 AND phone_number_id = $4 AND (wamid IS NULL OR wamid = $2) RETURNING id`,
    [Number(m[1]), s.id, n.portal_id, n.phone_number_id],
  );
  const msg = r.rows[0];
  if (!msg) return false; // kept in message_status_events; applied when the sender stores the wamid
  await ctx.events.emit('message.outbound', { messageId: msg.id, portalId: n.portal_id }, { client: c });
  return advanceStatus(c, ctx.events, { messageId: msg.id, status: s.status, at, error });
}
