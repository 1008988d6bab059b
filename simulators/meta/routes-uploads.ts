// Resumable Upload API: GET /app, POST /{app-id}/uploads (a session), POST /upload:… (the bytes) → a `4::…`
// handle that a template's media header uses as its example (notes §10, §11.3).
import express, { Router, type Request, type Response } from 'express';
import { randomBytes } from 'node:crypto';
import { authenticate, tokenOf } from './auth.js';
import type { SimContext } from './context.js';
import { errors } from './errors.js';

export const SIM_APP_ID = '100000000000001';
const TYPES = ['image/jpeg', 'image/png', 'video/mp4', 'video/3gpp', 'application/pdf'];
const MAX_BYTES = 100 * 1024 * 1024;

export function uploadsRouter(ctx: SimContext): Router {
  const r = Router({ mergeParams: true });

  r.get('/app', (req: Request, res: Response) => {
    authenticate(req, ctx.store, ctx.now());
    res.json({ id: SIM_APP_ID, name: 'WhatsApp for HubSpot (simulated)', link: 'https://example.com/whatsapp-for-hubspot' });
  });

  r.post(`/${SIM_APP_ID}/uploads`, (req: Request, res: Response) => {
    authenticate(req, ctx.store, ctx.now());
    const q = { ...(req.query as Record<string, unknown>), ...((req.body as Record<string, unknown>) ?? {}) };
    const fileType = String(q.file_type ?? '');
    const fileLength = Number(q.file_length);
    if (!q.file_length) throw errors.paramRequired('file_length');
    if (!fileType) throw errors.paramRequired('file_type');
    if (!TYPES.includes(fileType)) throw errors.paramMessage(`Param file_type must be one of {${TYPES.join(', ')}} - got "${fileType}".`);
    if (!Number.isInteger(fileLength) || fileLength <= 0 || fileLength > MAX_BYTES) throw errors.invalidParam('Param file_length must be a positive integer up to 104857600');
    const id = `upload:${Buffer.from(`sim-${randomBytes(6).toString('hex')}`).toString('base64url')}`;
    ctx.store.uploadSessions.set(id, { fileName: String(q.file_name ?? 'file'), fileLength, fileType, token: tokenOf(req)! });
    res.json({ id });
  });

  r.post('/:uploadId', express.raw({ type: () => true, limit: MAX_BYTES + 1 }), (req: Request, res: Response, next) => {
    const id = String(req.params.uploadId);
    if (!id.startsWith('upload:')) return next();
    const token = tokenOf(req);
    if (!token || !/^OAuth\s/i.test(req.get('authorization') ?? '')) throw errors.missingToken();
    const session = ctx.store.uploadSessions.get(id);
    if (!session || session.token !== token) throw errors.unknownObject('post', id);
    const offset = Number(req.get('file_offset') ?? 0);
    const bytes = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (offset !== 0 || bytes.length !== session.fileLength) {
      throw errors.invalidParam(`The upload must send the whole file from file_offset 0 (${session.fileLength} bytes, got ${bytes.length} from ${offset}).`);
    }
    const h = `4::${Buffer.from(`${session.fileType}:${randomBytes(9).toString('hex')}`).toString('base64')}`;
    ctx.store.uploadHandles.set(h, { fileType: session.fileType, bytes: bytes.length });
    ctx.store.uploadSessions.delete(id);
    res.json({ h });
  });
  return r;
}
