// Template management: GET/POST/DELETE /{waba-id}/message_templates, plus the template object itself.
import { Router, type Request, type Response } from 'express';
import { authenticate, requireAccess } from './auth.js';
import type { SimContext } from './context.js';
import { errors } from './errors.js';
import { decodeCursor, encodeCursor, numericId } from './ids.js';
import { validateNewTemplate } from './template-create.js';
import { TEMPLATE_FIELDS, templateJson } from './templates.js';
import type { TemplateCategory, TemplateRecord } from './types.js';

type Obj = Record<string, unknown>;
const BLOCK_MS = 30 * 24 * 3600 * 1000;

export function parseFields(req: Request, allowed: string[], nodeType: string): string[] | undefined {
  const f = req.query.fields;
  if (typeof f !== 'string' || !f.trim()) return undefined;
  const fields = f.split(',').map((s) => s.trim()).filter(Boolean);
  for (const x of fields) if (!allowed.includes(x)) throw errors.nonexistingField(x, nodeType);
  return fields;
}

function wabaOf(ctx: SimContext, req: Request, method: string): string {
  const allowed = authenticate(req, ctx.store, ctx.now());
  const id = String(req.params.id);
  requireAccess(allowed, ctx.store.wabaIds().has(id) ? id : undefined, method, id);
  return id;
}

function pageUrl(req: Request, limit: number, key: 'after' | 'before', cursor: string): string {
  const u = new URL(`${req.protocol}://${req.get('host') ?? 'localhost'}${req.originalUrl}`);
  u.searchParams.delete('after');
  u.searchParams.delete('before');
  u.searchParams.set('limit', String(limit));
  u.searchParams.set(key, cursor);
  return u.toString();
}

export function newTemplateRecord(ctx: SimContext, p: Omit<TemplateRecord, 'id' | 'createdAt' | 'updatedAt' | 'rejectedReason' | 'qualityScore'> & { id?: string }): TemplateRecord {
  const now = ctx.now();
  return {
    ...p,
    id: p.id ?? numericId(),
    rejectedReason: 'NONE',
    qualityScore: 'UNKNOWN',
    createdAt: now,
    updatedAt: now,
  };
}

/** A media header's example must be a handle the Resumable Upload API issued, for a file of the header's kind. */
function checkHeaderHandle(ctx: SimContext, components: TemplateRecord['components']): void {
  const h = components.find((c) => c.type === 'HEADER');
  const format = String(h?.format ?? '');
  if (!['IMAGE', 'VIDEO', 'DOCUMENT'].includes(format)) return;
  const handle = String(((h?.example as Obj | undefined)?.header_handle as unknown[] | undefined)?.[0] ?? '');
  const file = ctx.store.uploadHandles.get(handle);
  const kind = file ? (file.fileType.startsWith('image/') ? 'IMAGE' : file.fileType.startsWith('video/') ? 'VIDEO' : 'DOCUMENT') : undefined;
  if (!file || kind !== format) {
    throw errors.templateCreate(2388047, 'Invalid Header Format', `The ${format.toLowerCase()} header's example.header_handle is not a handle of an uploaded ${format.toLowerCase()} file (Resumable Upload API).`);
  }
}

export function templatesRouter(ctx: SimContext): Router {
  const r = Router({ mergeParams: true });

  r.get('/:id/message_templates', (req: Request, res: Response) => {
    const wabaId = wabaOf(ctx, req, 'get');
    const fields = parseFields(req, TEMPLATE_FIELDS, 'WhatsAppBusinessAccountMessageTemplate');
    const q = req.query as Record<string, unknown>;
    const list = (v: unknown): string[] | undefined =>
      typeof v === 'string' && v ? v.split(',').map((s) => s.trim().toUpperCase()) : undefined;
    const statuses = list(q.status);
    const categories = list(q.category);
    let all = ctx.store
      .templatesOfWaba(wabaId)
      .filter((t) => t.status !== 'DELETED')
      .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1));
    if (typeof q.name === 'string' && q.name) all = all.filter((t) => t.name === q.name);
    if (typeof q.language === 'string' && q.language) all = all.filter((t) => t.language === q.language);
    if (statuses) all = all.filter((t) => statuses.includes(t.status));
    if (categories) all = all.filter((t) => categories.includes(t.category));

    const limit = Math.min(Math.max(Number(q.limit ?? 25) || 25, 1), 1000);
    let start = 0;
    let end = limit;
    if (typeof q.after === 'string' && q.after) {
      const i = decodeCursor(q.after);
      if (i === undefined) throw errors.invalidParam('Param after is not a valid cursor');
      start = i + 1;
      end = start + limit;
    } else if (typeof q.before === 'string' && q.before) {
      const i = decodeCursor(q.before);
      if (i === undefined) throw errors.invalidParam('Param before is not a valid cursor');
      start = Math.max(0, i - limit);
      end = i;
    }
    const page = all.slice(start, end);
    const body: Obj = { data: page.map((t) => templateJson(t, fields)) };
    if (page.length > 0) {
      const first = start;
      const last = start + page.length - 1;
      const paging: Obj = { cursors: { before: encodeCursor(first), after: encodeCursor(last) } };
      if (last < all.length - 1) paging.next = pageUrl(req, limit, 'after', encodeCursor(last));
      if (first > 0) paging.previous = pageUrl(req, limit, 'before', encodeCursor(first));
      body.paging = paging;
    } else {
      body.paging = { cursors: {} };
    }
    if (q.summary !== undefined) {
      body.summary = { total_count: all.length, message_template_count: ctx.store.templatesOfWaba(wabaId).length, message_template_limit: ctx.cfg.templateLimit };
    }
    res.json(body);
  });

  r.post('/:id/message_templates', (req: Request, res: Response) => {
    const wabaId = wabaOf(ctx, req, 'post');
    const body: Obj = typeof req.body === 'object' && req.body !== null ? (req.body as Obj) : {};
    const nt = validateNewTemplate(body);
    checkHeaderHandle(ctx, nt.components);
    const existing = ctx.store.findTemplate(wabaId, nt.name, nt.language);
    if (existing && existing.status !== 'DELETED') {
      throw errors.templateCreate(
        2388024,
        'Content in This Language Already Exists',
        `There is already ${nt.language} content for this template (status ${existing.status}). Edit it or create a new template with a different name.`,
      );
    }
    const deletedAt = ctx.store.deletedTemplates.get(`${wabaId}:${nt.name}:${nt.language}`);
    if (deletedAt !== undefined && ctx.now() - deletedAt < BLOCK_MS) {
      throw errors.templateCreate(
        2388023,
        'Message Template Language Is Being Deleted',
        `New ${nt.language} content can't be added while the existing ${nt.language} content is being deleted. Try again in 4 weeks or consider creating a new message template.`,
      );
    }
    const count = ctx.store.templatesOfWaba(wabaId).filter((t) => t.status !== 'DELETED').length;
    if (count >= ctx.cfg.templateLimit) {
      throw errors.templateCreate(2388019, 'Message Template Limit Exceeded', `This WhatsApp Business Account has reached its limit of ${ctx.cfg.templateLimit} message templates.`);
    }
    if (existing) ctx.store.templates.delete(existing.id);
    const t = newTemplateRecord(ctx, { wabaId, name: nt.name, language: nt.language, category: nt.category, status: 'PENDING', parameterFormat: nt.parameterFormat, components: nt.components });
    ctx.store.templates.set(t.id, t);
    ctx.review(t);
    res.json({ id: t.id, status: 'PENDING', category: t.category });
  });

  r.delete('/:id/message_templates', (req: Request, res: Response) => {
    const wabaId = wabaOf(ctx, req, 'delete');
    const name = typeof req.query.name === 'string' ? req.query.name : undefined;
    const hsmId = typeof req.query.hsm_id === 'string' ? req.query.hsm_id : undefined;
    if (!name) throw errors.paramRequired('name');
    const victims = ctx.store
      .templatesOfWaba(wabaId)
      .filter((t) => t.name === name && t.status !== 'DELETED' && (!hsmId || t.id === hsmId));
    if (victims.length === 0) {
      throw errors.templateCreate(2593002, 'Message Template Not Found', `Message template "${name}" can't be deleted because it doesn't exist.`);
    }
    const disabled = victims.find((t) => t.status === 'DISABLED');
    if (disabled) {
      throw errors.templateCreate(2388039, 'Template Can\u2019t Be Deleted', `Message template "${name}" is disabled and can't be deleted.`);
    }
    for (const t of victims) {
      ctx.store.templates.delete(t.id);
      ctx.store.deletedTemplates.set(`${wabaId}:${t.name}:${t.language}`, ctx.now());
    }
    res.json({ success: true });
  });

  return r;
}

/** POST /{template-id}: edit components and/or category; the template goes back to review. */
export function editTemplate(ctx: SimContext, t: TemplateRecord, body: Obj): void {
  if (!['APPROVED', 'REJECTED', 'PAUSED'].includes(t.status)) {
    throw errors.templateCreate(2388039, 'Message Template Status Can\u2019t Be Changed', `Templates with status ${t.status} can't be edited.`);
  }
  if (body.components === undefined && body.category === undefined) throw errors.paramRequired('components');
  if (body.category !== undefined && t.status === 'APPROVED' && String(body.category).toUpperCase() !== t.category) {
    throw errors.templateCreate(2388039, 'Category Can\u2019t Be Changed', 'The category of an approved template can\u2019t be edited.');
  }
  const nt = validateNewTemplate({
    name: t.name,
    language: t.language,
    category: body.category ?? t.category,
    parameter_format: t.parameterFormat,
    components: body.components ?? t.components,
  });
  t.components = nt.components;
  t.category = nt.category as TemplateCategory;
  t.status = 'PENDING';
  t.updatedAt = ctx.now();
  ctx.review(t);
}
