// Validation of POST /{phone-number-id}/messages bodies, with Meta's error codes and limits (notes §8).
import { errors, statusErrors } from './errors.js';
import { mimeFitsKind, type MediaKind } from './media.js';
import type { SimStore } from './store.js';
import { checkTemplateSend } from './templates.js';
import type { MetaErrorObject, SimNumber, TemplateRecord } from './types.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface SendPlan {
  type: string;
  input: string;
  waId: string;
  text?: string;
  template?: TemplateRecord;
  mediaId?: string;
  /** Accepted synchronously, then failed by status webhook (as Meta does for media and reaction problems). */
  asyncFailure?: MetaErrorObject;
  contextMessageId?: string;
  bizOpaqueCallbackData?: string;
}

const MEDIA_KINDS: MediaKind[] = ['image', 'document', 'audio', 'video', 'sticker'];
const TYPES = ['text', 'image', 'document', 'audio', 'video', 'sticker', 'location', 'contacts', 'interactive', 'template', 'reaction'];
const INTERACTIVE_TYPES = [
  'button',
  'list',
  'cta_url',
  'flow',
  'product',
  'product_list',
  'catalog_message',
  'order_details',
  'order_status',
  'location_request_message',
  'call_permission_request',
  'voice_call',
  'carousel',
];

function maxLen(v: unknown, n: number, param: string): void {
  if (typeof v === 'string' && [...v].length > n) throw errors.paramMessage(`Param ${param} must be at most ${n} characters long.`);
}

function textOf(v: unknown): string | undefined {
  return isObj(v) && typeof v.text === 'string' ? v.text : undefined;
}

function validText(body: Obj): string {
  const text = body.text;
  if (!isObj(text) || text.body === undefined) throw errors.paramRequired("text['body']");
  if (typeof text.body !== 'string' || text.body.trim() === '') throw errors.paramMessage("Param text['body'] must be a non-empty string.");
  maxLen(text.body, 4096, "text['body']");
  if (text.preview_url !== undefined && typeof text.preview_url !== 'boolean') {
    throw errors.paramMessage("Param text['preview_url'] must be a boolean.");
  }
  return text.body;
}

function validMedia(kind: MediaKind, body: Obj, store: SimStore, number: SimNumber, nowMs: number): Partial<SendPlan> {
  const m = body[kind];
  if (!isObj(m)) throw errors.paramRequired(kind);
  const hasId = typeof m.id === 'string' && m.id !== '';
  const hasLink = typeof m.link === 'string' && m.link !== '';
  if (!hasId && !hasLink) throw errors.requiredParamMissing(`Param ${kind} must contain either 'id' or 'link'`);
  if (hasId && hasLink) throw errors.paramValueInvalid(`Param ${kind} must contain either 'id' or 'link', not both`);
  if (kind === 'image' || kind === 'video' || kind === 'document') maxLen(m.caption, 1024, `${kind}['caption']`);
  const caption = typeof m.caption === 'string' ? m.caption : undefined;
  if (hasId) {
    const media = store.media.get(String(m.id));
    if (!media || media.deleted || media.expiresAt <= nowMs || media.wabaId !== number.wabaId) {
      throw errors.paramValueInvalid(`Param ${kind}['id'] is not a valid whatsapp business account media attachment ID`);
    }
    const plan: Partial<SendPlan> = { mediaId: media.id, text: caption };
    if (!mimeFitsKind(media.mimeType, kind)) {
      plan.asyncFailure = statusErrors.mediaDownload(`Unsupported ${kind} mime type ${media.mimeType}`);
    }
    return plan;
  }
  let ok = false;
  try {
    const u = new URL(String(m.link));
    ok = u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    ok = false;
  }
  return {
    text: caption,
    asyncFailure: ok ? undefined : statusErrors.mediaDownload('Downloading media from weblink failed: the link is not a valid http(s) URL.'),
  };
}

/**
 * An interactive list as Meta checks it (notes §8.8, the spec's ActionObject/SectionObject): a text
 * header only, a button label of 1–20, 1–10 sections (titled when several, ≤ 24), 10 rows in all,
 * each with a unique id (≤ 200) and a title (1–24), an optional description (≤ 72).
 */
function validList(it: Obj, a: Obj, bodyText: string | undefined): void {
  maxLen(bodyText, 4096, "interactive['body']['text']");
  const header = it.header;
  if (header !== undefined && (!isObj(header) || header.type !== 'text')) {
    throw errors.paramValueInvalid('List messages only support a text header.');
  }
  maxLen(textOf(header), 60, "interactive['header']['text']");
  if (a.button === undefined) throw errors.paramRequired("interactive['action']['button']");
  const label = typeof a.button === 'string' ? a.button : '';
  if ([...label.trim()].length < 1 || [...label].length > 20) throw errors.paramValueInvalid('Button label length invalid. Min length: 1, Max length: 20');
  const sections = a.sections;
  if (!Array.isArray(sections) || sections.length < 1 || sections.length > 10) {
    throw errors.paramValueInvalid('Invalid sections count. Min allowed sections: 1, Max allowed sections: 10');
  }
  let rows = 0;
  const rowIds = new Set<string>();
  sections.forEach((s, i) => {
    if (!isObj(s) || !Array.isArray(s.rows) || s.rows.length === 0) throw errors.paramRequired(`interactive['action']['sections'][${i}]['rows']`);
    if (sections.length > 1 && (typeof s.title !== 'string' || !s.title.trim())) throw errors.paramRequired(`interactive['action']['sections'][${i}]['title']`);
    maxLen(s.title, 24, `interactive['action']['sections'][${i}]['title']`);
    s.rows.forEach((r, j) => {
      rows++;
      const where = `interactive['action']['sections'][${i}]['rows'][${j}]`;
      if (!isObj(r) || typeof r.id !== 'string' || !r.id) throw errors.paramRequired(`${where}['id']`);
      if (typeof r.title !== 'string') throw errors.paramRequired(`${where}['title']`);
      if (r.id.length > 200) throw errors.paramValueInvalid('Row id length invalid. Max length: 200');
      if ([...r.title.trim()].length < 1 || [...r.title].length > 24) throw errors.paramValueInvalid('Row title length invalid. Min length: 1, Max length: 24');
      maxLen(r.description, 72, `${where}['description']`);
      if (rowIds.has(r.id)) throw errors.paramValueInvalid('Row ids must be unique.');
      rowIds.add(r.id);
    });
  });
  if (rows > 10) throw errors.paramValueInvalid('Invalid rows count. Max allowed rows: 10');
}

function validInteractive(body: Obj): string | undefined {
  const it = body.interactive;
  if (!isObj(it)) throw errors.paramRequired('interactive');
  const type = String(it.type ?? '');
  if (!type) throw errors.paramRequired("interactive['type']");
  if (!INTERACTIVE_TYPES.includes(type)) {
    throw errors.paramMessage(`Param interactive['type'] must be one of {${INTERACTIVE_TYPES.join(', ')}} - got "${type}".`);
  }
  const action = it.action;
  if (!isObj(action) && type !== 'location_request_message' && type !== 'call_permission_request') {
    throw errors.paramRequired("interactive['action']");
  }
  const bodyText = textOf(it.body);
  const bodyOptional = type === 'product' || type === 'carousel';
  if (!bodyOptional && bodyText === undefined) throw errors.paramRequired("interactive['body']['text']");
  maxLen(textOf(it.footer), 60, "interactive['footer']['text']");

  if (type === 'button') {
    maxLen(bodyText, 1024, "interactive['body']['text']");
    const buttons = (action as Obj).buttons;
    if (!Array.isArray(buttons) || buttons.length < 1 || buttons.length > 3) {
      throw errors.paramValueInvalid('Invalid buttons count. Min allowed buttons: 1, Max allowed buttons: 3');
    }
    const titles = new Set<string>();
    const ids = new Set<string>();
    buttons.forEach((b, i) => {
      const reply = isObj(b) ? b.reply : undefined;
      if (!isObj(b) || b.type !== 'reply' || !isObj(reply)) throw errors.paramRequired(`interactive['action']['buttons'][${i}]['reply']`);
      const title = typeof reply.title === 'string' ? reply.title : '';
      const id = typeof reply.id === 'string' ? reply.id : '';
      if ([...title].length < 1 || [...title].length > 20) throw errors.paramValueInvalid('Button title length invalid. Min length: 1, Max length: 20');
      if (id.length < 1 || id.length > 256) throw errors.paramValueInvalid('Button id length invalid. Min length: 1, Max length: 256');
      if (titles.has(title)) throw errors.paramValueInvalid('Button title must be unique.');
      if (ids.has(id)) throw errors.paramValueInvalid('Button id must be unique.');
      titles.add(title);
      ids.add(id);
    });
  } else if (type === 'list') {
    validList(it, action as Obj, bodyText);
  } else if (type === 'cta_url') {
    const p = (action as Obj).parameters;
    if (!isObj(p) || typeof p.display_text !== 'string' || typeof p.url !== 'string') {
      throw errors.paramRequired("interactive['action']['parameters']['url']");
    }
    maxLen(p.display_text, 20, "interactive['action']['parameters']['display_text']");
  } else if (type === 'flow') {
    const p = (action as Obj).parameters;
    if (!isObj(p) || (p.flow_id === undefined && p.flow_name === undefined)) {
      throw errors.paramRequired("interactive['action']['parameters']['flow_id']");
    }
  } else if (type === 'product' || type === 'product_list') {
    if ((action as Obj).catalog_id === undefined) throw errors.paramRequired("interactive['action']['catalog_id']");
  }
  return bodyText;
}

function validTemplate(body: Obj, store: SimStore, number: SimNumber): { template: TemplateRecord; text: string } {
  const t = body.template;
  if (!isObj(t)) throw errors.paramRequired('template');
  if (typeof t.name !== 'string' || !t.name) throw errors.paramRequired("template['name']");
  const lang = t.language;
  if (!isObj(lang) || typeof lang.code !== 'string' || !lang.code) throw errors.paramRequired("template['language']['code']");
  const tpl = store.findTemplate(number.wabaId, t.name, lang.code);
  if (!tpl || !['APPROVED', 'PAUSED', 'DISABLED', 'FLAGGED', 'REINSTATED'].includes(tpl.status)) {
    throw errors.templateMissing(t.name, lang.code);
  }
  if (tpl.status === 'PAUSED') throw errors.templatePaused(tpl.name);
  if (tpl.status === 'DISABLED') throw errors.templateDisabled(tpl.name);
  const { renderedBody } = checkTemplateSend(tpl, t.components);
  return { template: tpl, text: renderedBody };
}

function validLocation(body: Obj): string {
  const l = body.location;
  if (!isObj(l)) throw errors.paramRequired('location');
  for (const k of ['latitude', 'longitude']) {
    const v = l[k];
    if (v === undefined || v === '' || !Number.isFinite(Number(v))) throw errors.paramRequired(`location['${k}']`);
  }
  return [l.name, l.address].filter((x) => typeof x === 'string').join(', ') || `${String(l.latitude)},${String(l.longitude)}`;
}

function validContacts(body: Obj): string {
  const cs = body.contacts;
  if (!Array.isArray(cs) || cs.length === 0) throw errors.paramRequired('contacts');
  return cs
    .map((c, i) => {
      const name = isObj(c) && isObj(c.name) ? c.name.formatted_name : undefined;
      if (typeof name !== 'string' || !name) throw errors.paramRequired(`contacts[${i}]['name']['formatted_name']`);
      return name;
    })
    .join(', ');
}

/** Recipient as Meta normalises it: digits only (the app should always send E.164 with '+'). */
export function normaliseRecipient(to: string): string {
  return to.replace(/\D/g, '');
}

export function validateSend(body: Obj, store: SimStore, number: SimNumber, nowMs: number): SendPlan {
  const mp = body.messaging_product;
  if (mp === undefined) throw errors.paramRequired('messaging_product');
  if (mp !== 'whatsapp') throw errors.paramMessage(`Param messaging_product must be one of {WHATSAPP} - got "${String(mp)}".`);
  if (body.recipient_type !== undefined && body.recipient_type !== 'individual') {
    throw errors.paramMessage(`Param recipient_type must be one of {INDIVIDUAL} - got "${String(body.recipient_type)}".`);
  }
  const rawTo = body.to ?? body.recipient;
  if (rawTo === undefined || rawTo === '') throw errors.paramRequired('to');
  const input = String(rawTo);
  const waId = body.to !== undefined ? normaliseRecipient(input) : input;
  if (body.to !== undefined && (waId.length < 7 || waId.length > 15)) {
    throw errors.invalidParam(`Param to is not a valid phone number: ${input}`);
  }
  const type = body.type === undefined ? 'text' : String(body.type);
  if (!TYPES.includes(type)) throw errors.paramMessage(`Param type must be one of {${TYPES.map((t) => t.toUpperCase()).join(', ')}} - got "${type}".`);

  const plan: SendPlan = { type, input, waId };
  const ctx = body.context;
  if (ctx !== undefined) {
    if (!isObj(ctx) || typeof ctx.message_id !== 'string') throw errors.paramRequired("context['message_id']");
    plan.contextMessageId = ctx.message_id;
  }
  if (body.biz_opaque_callback_data !== undefined) {
    maxLen(body.biz_opaque_callback_data, 512, 'biz_opaque_callback_data');
    plan.bizOpaqueCallbackData = String(body.biz_opaque_callback_data);
  }

  if (type === 'text') plan.text = validText(body);
  else if ((MEDIA_KINDS as string[]).includes(type)) Object.assign(plan, validMedia(type as MediaKind, body, store, number, nowMs));
  else if (type === 'interactive') plan.text = validInteractive(body);
  else if (type === 'template') Object.assign(plan, validTemplate(body, store, number));
  else if (type === 'location') plan.text = validLocation(body);
  else if (type === 'contacts') plan.text = validContacts(body);
  else if (type === 'reaction') {
    const r = body.reaction;
    if (!isObj(r) || typeof r.message_id !== 'string' || !r.message_id) throw errors.paramRequired("reaction['message_id']");
    if (r.emoji !== undefined && typeof r.emoji !== 'string') throw errors.paramMessage("Param reaction['emoji'] must be a string.");
    plan.text = typeof r.emoji === 'string' ? r.emoji : '';
    const target = store.inbound.get(r.message_id) ?? store.messages.get(r.message_id);
    const tooOld = target && ('timestamp' in target ? target.timestamp * 1000 : target.createdAt) < nowMs - 30 * 24 * 3600 * 1000;
    if (!target || tooOld || target.type === 'reaction') plan.asyncFailure = statusErrors.invalidReaction();
  }
  return plan;
}
