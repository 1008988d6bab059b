import type { PoolClient } from 'pg';
import type { AppContext } from '../app-context.js';
import { upsertWhatsAppContact } from '../contacts/contacts-repo.js';
import { applyTemplateQuality, applyTemplateStatus } from '../templates/repo.js';
import { numberByPhoneNumberId, type NumberRow } from './numbers.js';
import { InvalidWebhookError, metaErrorToJson, normalizeLanguage, parseWebhook, type WebhookItem } from './parse.js';
import { MEDIA_MESSAGE_TYPES, type InboundMessage, type MediaMessageType } from './schemas.js';
import { reasonFor } from './meta-errors.js';
import { advanceStatus } from './status.js';

export const WEBHOOK_QUEUE = 'whatsapp.webhook';
export const MEDIA_QUEUE = 'whatsapp.media-download';
export const TEMPLATE_SYNC_QUEUE = 'whatsapp.templates-sync';

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

interface Summary {
  messages: number;
  duplicates: number;
  statuses: number;
  statusesApplied: number;
  unrouted: string[];
  valueErrors: unknown[];
  templates: number;
  ignored: string[];
  problems: string[];
}

/**
 * The `whatsapp.webhook` job: processes one stored POST in one transaction. Inbound messages are
 * stored once per wamid (INSERT … ON CONFLICT DO NOTHING; `message.inbound` only when inserted);
 * statuses only move forward; a number no portal has connected is reported, not processed.
 */
export async function processWebhookEvent(ctx: AppContext, eventId: number): Promise<Summary | undefined> {
  const ev = await ctx.db.query<{ raw_body: string; state: string }>(`SELECT raw_body, state FROM webhook_events WHERE id = $1`, [eventId]);
  const row = ev.rows[0];
  if (!row || row.state !== 'pending') return undefined;
  let items: WebhookItem[];
  let problems: string[];
  try {
    ({ items, problems } = parseWebhook(JSON.parse(row.raw_body)));
  } catch (err) {
    const reason = err instanceof InvalidWebhookError || err instanceof SyntaxError ? err.message : String(err);
    ctx.logger.warn({ eventId, reason }, 'whatsapp webhook could not be parsed; kept as invalid');
    await ctx.db.query(`UPDATE webhook_events SET state = 'invalid', processed_at = now(), summary = $2::jsonb WHERE id = $1 AND state = 'pending'`, [
      eventId,
      JSON.stringify({ problems: [reason] }),
    ]);
    return undefined;
  }

  const summary: Summary = { messages: 0, duplicates: 0, statuses: 0, statusesApplied: 0, unrouted: [], valueErrors: [], templates: 0, ignored: [], problems };
  let routed = 0;
  const syncWabas = new Set<string>();
  const done = await ctx.db.tx(async (c) => {
    const lock = await c.query(`SELECT state FROM webhook_events WHERE id = $1 FOR UPDATE`, [eventId]);
    if (lock.rows[0]?.state !== 'pending') return false;
    const numbers = new Map<string, NumberRow | null>();
    const numberOf = async (pnid: string) => {
      if (!numbers.has(pnid)) numbers.set(pnid, (await numberByPhoneNumberId(c, pnid)) ?? null);
      const n = numbers.get(pnid) ?? null;
      if (!n && !summary.unrouted.includes(pnid)) summary.unrouted.push(pnid);
      return n;
    };
    for (const item of items) {
      switch (item.kind) {
        case 'message': {
          const n = await numberOf(item.phoneNumberId);
          if (!n) continue;
          routed++;
          await storeInbound(ctx, c, n, item, summary);
          break;
        }
        case 'status': {
          const n = await numberOf(item.phoneNumberId);
          if (!n) continue;
          routed++;
          summary.statuses++;
          if (await storeStatus(ctx, c, n, item.status)) summary.statusesApplied++;
          break;
        }
        case 'value_errors': {
          const n = await numberOf(item.phoneNumberId);
          summary.valueErrors.push(...item.errors.map(metaErrorToJson));
          ctx.logger.warn({ phoneNumberId: item.phoneNumberId, portalId: n?.portal_id, errors: item.errors.map(metaErrorToJson) }, 'whatsapp reported errors for a number');
          if (n) routed++;
          break;
        }
        case 'template_status': {
          summary.templates++;
          const v = item.value;
          const found = await applyTemplateStatus(c, {
            wabaId: item.wabaId,
            metaTemplateId: v.message_template_id,
            name: v.message_template_name,
            language: v.message_template_language ? normalizeLanguage(v.message_template_language) : undefined,
            event: v.event,
            reason: v.reason ?? null,
            category: v.message_template_category,
            detail: { reason: v.reason ?? null, rejection_info: v.rejection_info ?? null, other_info: v.other_info ?? null, disable_info: v.disable_info ?? null },
            at: ctx.clock.now(),
          });
          if (!found) syncWabas.add(item.wabaId);
          break;
        }
        case 'template_quality': {
          summary.templates++;
          const v = item.value;
          await applyTemplateQuality(c, {
            wabaId: item.wabaId,
            metaTemplateId: v.message_template_id,
            name: v.message_template_name,
            language: v.message_template_language ? normalizeLanguage(v.message_template_language) : undefined,
            score: v.new_quality_score,
            at: ctx.clock.now(),
          });
          break;
        }
        case 'template_category':
          // Meta re-categorised a template (its price changes): re-read the WABA's templates.
          summary.templates++;
          syncWabas.add(item.wabaId);
          break;
        case 'phone_quality': {
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
          break;
        }
        case 'ignored':
          if (!summary.ignored.includes(item.field)) summary.ignored.push(item.field);
          break;
      }
    }
    for (const wabaId of syncWabas) {
      const has = await c.query(`SELECT 1 FROM whatsapp_numbers WHERE waba_id = $1 LIMIT 1`, [wabaId]);
      if (has.rowCount) await ctx.jobs.send(TEMPLATE_SYNC_QUEUE, { wabaId }, { client: c, singletonKey: wabaId });
    }
    const state = summary.unrouted.length === 0 ? 'processed' : routed > 0 ? 'partially_unrouted' : 'unrouted';
    await c.query(`UPDATE webhook_events SET state = $2, processed_at = now(), summary = $3::jsonb WHERE id = $1`, [eventId, state, JSON.stringify(summary)]);
    return true;
  });
  if (!done) return undefined;
  if (summary.unrouted.length) {
    ctx.logger.warn({ eventId, phoneNumberIds: summary.unrouted }, 'whatsapp webhook for a number no portal has connected: stored, not processed');
  }
  if (summary.problems.length) ctx.logger.warn({ eventId, problems: summary.problems.slice(0, 10) }, 'whatsapp webhook had parts we could not read');
  return summary;
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
  await ctx.events.emit('message.inbound', { messageId: id }, { client: c });
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
  await c.query(
    `INSERT INTO message_status_events (wamid, status, phone_number_id, occurred_at, recipient_id, error, pricing, conversation, callback_data)
     VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8::jsonb, $9)
     ON CONFLICT (wamid, phone_number_id, status) DO NOTHING`,
    [
      s.id,
      s.status,
      n.phone_number_id,
      at,
      s.recipient_id ?? s.recipient_user_id ?? null,
      JSON.stringify(error),
      JSON.stringify(s.pricing ?? null),
      JSON.stringify(s.conversation ?? null),
      s.biz_opaque_callback_data ?? null,
    ],
  );
  // Scoped to the number the webhook came for (and so its portal): a wamid names a message of that number only.
  let msg = (
    await c.query<{ id: number }>(`SELECT id FROM messages WHERE wamid = $1 AND direction = 'out' AND portal_id = $2 AND phone_number_id = $3`, [
      s.id,
      n.portal_id,
      n.phone_number_id,
    ])
  ).rows[0];
  if (!msg) {
    // The send call may not have stored the wamid yet: our callback data names the message.
    const m = /^m:(\d+)$/.exec(s.biz_opaque_callback_data ?? '');
    if (m) {
      const r = await c.query<{ id: number }>(
        `UPDATE messages SET wamid = $2 WHERE id = $1 AND direction = 'out' AND portal_id = $3 AND phone_number_id = $4 AND (wamid IS NULL OR wamid = $2) RETURNING id`,
        [Number(m[1]), s.id, n.portal_id, n.phone_number_id],
      );
      msg = r.rows[0];
    }
  }
  if (!msg) return false; // kept in message_status_events; applied when the sender stores the wamid
  return advanceStatus(c, ctx.events, { messageId: msg.id, status: s.status, at, error });
}
