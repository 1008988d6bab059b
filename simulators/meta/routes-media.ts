// Media: upload (POST /{phone-number-id}/media), info/delete (GET|DELETE /{media-id}) and URL download.
import { createHash } from 'node:crypto';
import { Router, type NextFunction, type Request, type Response } from 'express';
import multer from 'multer';
import { authenticate, requireAccess } from './auth.js';
import type { SimContext } from './context.js';
import { errors, GraphError, sendGraphError } from './errors.js';
import { numericId } from './ids.js';
import { ALL_MIMES, baseMime, checkMediaUrl, kindOfMime, MEDIA_RULES, mediaUrl, sniffMimes } from './media.js';
import type { MediaRecord } from './types.js';

const DAY_MS = 24 * 3600 * 1000;
const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: 100 * 1024 * 1024 + 1, files: 1 } });

export function storeMedia(
  ctx: SimContext,
  p: { wabaId: string; phoneNumberId: string; bytes: Buffer; mimeType: string; filename?: string; origin: 'upload' | 'inbound' },
): MediaRecord {
  const now = ctx.now();
  const m: MediaRecord = {
    id: numericId(),
    wabaId: p.wabaId,
    phoneNumberId: p.phoneNumberId,
    mimeType: p.mimeType,
    bytes: p.bytes,
    sha256Hex: createHash('sha256').update(p.bytes).digest('hex'),
    sha256Base64: createHash('sha256').update(p.bytes).digest('base64'),
    fileSize: p.bytes.length,
    filename: p.filename,
    origin: p.origin,
    createdAt: now,
    expiresAt: now + (p.origin === 'upload' ? 30 : 7) * DAY_MS,
    deleted: false,
  };
  ctx.store.media.set(m.id, m);
  return m;
}

export function mediaRouter(ctx: SimContext): Router {
  const r = Router({ mergeParams: true });

  r.post('/:id/media', (req: Request, res: Response, next: NextFunction) => {
    const allowed = authenticate(req, ctx.store, ctx.now());
    const id = String(req.params.id);
    const number = ctx.store.numbers.get(id);
    requireAccess(allowed, number?.wabaId, 'post', id);
    if (!number) throw errors.unknownObject('post', id);
    upload.single('file')(req, res, (err: unknown) => {
      try {
        if (err instanceof multer.MulterError && err.code === 'LIMIT_FILE_SIZE') {
          throw errors.mediaUpload('File size exceeds the maximum of 100 MB.');
        }
        if (err) throw errors.invalidParam(err instanceof Error ? err.message : String(err));
        const fields = (req.body ?? {}) as Record<string, unknown>;
        if (fields.messaging_product === undefined) throw errors.paramRequired('messaging_product');
        if (fields.messaging_product !== 'whatsapp') {
          throw errors.paramMessage(`Param messaging_product must be one of {WHATSAPP} - got "${String(fields.messaging_product)}".`);
        }
        const file = req.file;
        if (!file) throw errors.paramRequired('file');
        const declared = String(fields.type ?? file.mimetype ?? '');
        const kind = kindOfMime(declared);
        if (!kind) {
          throw errors.paramMessage(`Param file must be a file with one of the following types: ${ALL_MIMES.join(', ')}. Received file of type '${baseMime(declared) || 'unknown'}'.`);
        }
        const max = MEDIA_RULES[kind].maxBytes;
        if (file.size > max) throw errors.mediaUpload(`File size ${file.size} bytes exceeds the ${kind} limit of ${max} bytes.`);
        if (file.size === 0) throw errors.mediaUpload('The uploaded file is empty.');
        const sniffed = sniffMimes(file.buffer);
        if (sniffed && !sniffed.mimes.includes(baseMime(declared))) {
          throw errors.mediaUpload(`The file's content (${sniffed.label}) does not match its declared type ${baseMime(declared)}.`);
        }
        const m = storeMedia(ctx, {
          wabaId: number.wabaId,
          phoneNumberId: number.phoneNumberId,
          bytes: file.buffer,
          mimeType: declared,
          filename: file.originalname,
          origin: 'upload',
        });
        res.json({ id: m.id });
      } catch (e) {
        next(e);
      }
    });
  });

  return r;
}

/** The media object for GET /{media-id}, or undefined if the id is not a live media id. */
export function liveMedia(ctx: SimContext, id: string): MediaRecord | undefined {
  const m = ctx.store.media.get(id);
  return m && !m.deleted && m.expiresAt > ctx.now() ? m : undefined;
}

export function mediaInfo(ctx: SimContext, req: Request, m: MediaRecord): Record<string, unknown> {
  checkPhoneNumberScope(req, m);
  const base = ctx.baseUrl(req) ?? '';
  return {
    messaging_product: 'whatsapp',
    url: mediaUrl(base, ctx.cfg.appSecret, m, ctx.now()),
    mime_type: m.mimeType,
    sha256: m.sha256Hex,
    file_size: m.fileSize,
    id: m.id,
  };
}

export function deleteMedia(req: Request, m: MediaRecord): void {
  checkPhoneNumberScope(req, m);
  m.deleted = true;
}

function checkPhoneNumberScope(req: Request, m: MediaRecord): void {
  const pn = req.query.phone_number_id;
  if (typeof pn === 'string' && pn && pn !== m.phoneNumberId) {
    throw errors.invalidParam(`Media ${m.id} does not belong to phone number ${pn}`);
  }
}

/** GET <media url> with the Bearer token → the bytes. Expired or forged URLs answer 404. */
export function downloadHandler(ctx: SimContext) {
  return (req: Request, res: Response): void => {
    let allowed: Set<string>;
    try {
      allowed = authenticate(req, ctx.store, ctx.now());
    } catch (e) {
      if (e instanceof GraphError) return sendGraphError(res, e);
      throw e;
    }
    const mid = checkMediaUrl(ctx.cfg.appSecret, req.query as Record<string, unknown>, ctx.now());
    const m = mid ? liveMedia(ctx, mid) : undefined;
    if (!m || !allowed.has(m.wabaId)) {
      res.status(404).type('text/plain').send('URL signature expired');
      return;
    }
    res.status(200);
    res.setHeader('Content-Type', m.mimeType);
    res.setHeader('Content-Length', String(m.bytes.length));
    if (m.filename) res.setHeader('Content-Disposition', `attachment; filename="${m.filename.replace(/"/g, '')}"`);
    res.end(m.bytes);
  };
}
