// The example file of a template's media header, from the Templates page (issue 15, F5).
// @hubspot/ui-extensions 0.17 has no file input, so — like the card's attachments
// (src/media/upload-page.ts) — the page asks for a short-lived single-use link (through
// hubspot.fetch, signed by HubSpot) and opens our upload page in an iframe modal; the page posts the
// file straight to us, we send it to Meta's Resumable Upload API and keep the `4::…` handle, and the
// template is then created with `headerSampleId`.
//   POST /api/v1/templates/sample-links   (signed, admin) {phoneNumberId, format} → 201 {sample, url, expiresAt}
//   GET  /api/v1/templates/samples/:id    (signed, admin) → {sample}: state waiting | uploaded
//   GET  /template-sample/:token          the page
//   POST /template-sample/:token          multipart `file`: uploaded to Meta, uses the link up
import { randomBytes } from 'node:crypto';
import express, { type Request, type RequestHandler, type Router } from 'express';
import multer from 'multer';
import { z } from 'zod';
import type { Clock } from '../clock.js';
import type { Database } from '../db/database.js';
import { AppError, notFound, validation, zodDetails } from '../errors.js';
import type { Logger } from '../logger.js';
import { cleanFilename } from '../http/content-disposition.js';
import { sendPage } from '../http/security-headers.js';
import { formatBytes } from '../media/index.js';
import { storableText } from '../messages/text.js';
import { linkToken, verifyLinkToken } from '../media/link-tokens.js';
import { page, submitScript } from '../media/upload-page.js';
import { MetaApiError } from '../whatsapp/graph.js';
import { portalNumber, type NumberRow } from '../whatsapp/numbers.js';
import type { TemplateMeta } from './authoring.js';
import { checkSample, SAMPLE_TYPES, type SampleFormat } from './samples.js';

export const SAMPLE_LINK_TTL_MS = 10 * 60_000;
const PURPOSE = 'template-sample';

interface Row {
  id: string;
  portal_id: string | number;
  phone_number_id: string;
  waba_id: string;
  format: SampleFormat;
  used_at: Date | null;
  handle: string | null;
  filename: string | null;
  mime_type: string | null;
  size_bytes: string | number | null;
  uploaded_at: Date | null;
}

/** What the page is told about a sample (never the handle: it is only Meta's and ours). */
export interface SampleView {
  id: string;
  format: SampleFormat;
  state: 'waiting' | 'uploaded';
  filename: string | null;
  mimeType: string | null;
  sizeBytes: number | null;
}

const viewOf = (r: Row): SampleView => ({
  id: r.id,
  format: r.format,
  state: r.handle ? 'uploaded' : 'waiting',
  filename: r.filename,
  mimeType: r.mime_type,
  sizeBytes: r.size_bytes === null ? null : Number(r.size_bytes),
});

export interface SampleDeps {
  db: Database;
  clock: Clock;
  logger: Logger;
  key: Buffer;
  publicBaseUrl: string;
  meta: Pick<TemplateMeta, 'uploadSample'>;
  tokenOf: (n: NumberRow) => string;
}

export class TemplateSamples {
  constructor(private readonly d: SampleDeps) {}

  /** A link to the upload page for one example file of this number's account and header format. */
  async createLink(p: { portalId: number; userId: number; phoneNumberId: string; format: SampleFormat }): Promise<{ sample: SampleView; url: string; expiresAt: string }> {
    const n = await portalNumber(this.d.db.pool, p.portalId, p.phoneNumberId);
    if (!n) throw notFound(`WhatsApp number ${p.phoneNumberId} is not connected to this portal`);
    const id = randomBytes(18).toString('base64url');
    const exp = this.d.clock.now().getTime() + SAMPLE_LINK_TTL_MS;
    const r = await this.d.db.query<Row>(
      `INSERT INTO template_samples (id, portal_id, user_id, phone_number_id, waba_id, format, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
      [id, p.portalId, p.userId, n.phone_number_id, n.waba_id, p.format, new Date(exp)],
    );
    const base = this.d.publicBaseUrl.replace(/\/+$/, '');
    return { sample: viewOf(r.rows[0]!), url: `${base}/template-sample/${linkToken(this.d.key, PURPOSE, id, exp)}`, expiresAt: new Date(exp).toISOString() };
  }

  async view(portalId: number, id: string): Promise<SampleView> {
    const r = await this.d.db.query<Row>('SELECT * FROM template_samples WHERE id = $1 AND portal_id = $2', [id, portalId]);
    if (!r.rows[0]) throw notFound('No such example file');
    return viewOf(r.rows[0]);
  }

  /** The sample behind a still usable link (to draw the page), without using it up. */
  async peek(token: string): Promise<SampleView | null> {
    const id = verifyLinkToken(this.d.key, PURPOSE, token, this.d.clock.now().getTime());
    if (!id) return null;
    const r = await this.d.db.query<Row>('SELECT * FROM template_samples WHERE id = $1 AND used_at IS NULL AND expires_at > $2', [id, this.d.clock.now()]);
    return r.rows[0] ? viewOf(r.rows[0]) : null;
  }

  /** Uses the link up (one upload wins), checks the file, sends it to Meta and keeps the handle. */
  async upload(token: string, file: { bytes: Buffer; mimeType: string; filename: string }): Promise<SampleView> {
    const id = verifyLinkToken(this.d.key, PURPOSE, token, this.d.clock.now().getTime());
    const now = this.d.clock.now();
    const claimed = id
      ? await this.d.db.query<Row>('UPDATE template_samples SET used_at = $2 WHERE id = $1 AND used_at IS NULL AND expires_at > $2 RETURNING *', [id, now])
      : { rows: [] as Row[] };
    const row = claimed.rows[0];
    if (!row) throw new AppError(410, 'LINK_EXPIRED', 'This upload link has expired or was already used. Close this window and try again.');
    try {
      const mimeType = checkSample(row.format, file.bytes, file.mimeType, 'file');
      const n = await portalNumber(this.d.db.pool, Number(row.portal_id), row.phone_number_id);
      if (!n) throw notFound(`WhatsApp number ${row.phone_number_id} is no longer connected`);
      const handle = await this.d.meta.uploadSample(this.d.tokenOf(n), { bytes: file.bytes, mimeType, filename: file.filename });
      const r = await this.d.db.query<Row>(
        'UPDATE template_samples SET handle = $2, filename = $3, mime_type = $4, size_bytes = $5, uploaded_at = $6 WHERE id = $1 RETURNING *',
        [row.id, handle, file.filename, mimeType, file.bytes.length, this.d.clock.now()],
      );
      this.d.logger.info({ portalId: Number(row.portal_id), wabaId: row.waba_id, format: row.format, bytes: file.bytes.length }, 'template example file uploaded to Meta');
      return viewOf(r.rows[0]!);
    } catch (err) {
      // Nothing was kept: the admin may pick another file with the same link, until it expires.
      await this.d.db.query('UPDATE template_samples SET used_at = NULL WHERE id = $1', [row.id]).catch(() => undefined);
      throw refusal(err);
    }
  }

  /** The example handle for a template of this account and header format (reusable across its languages). */
  async handleFor(portalId: number, wabaId: string, id: string, format: string): Promise<string> {
    const r = await this.d.db.query<Row>('SELECT * FROM template_samples WHERE id = $1 AND portal_id = $2', [id, portalId]);
    const row = r.rows[0];
    const field = { headerSampleId: 'Upload the example file again' };
    if (!row || row.waba_id !== wabaId) throw validation('headerSampleId: not an example file of this number’s account', field);
    if (row.format !== format) throw validation(`headerSampleId: the example file is for a ${row.format.toLowerCase()} header, not ${format.toLowerCase() || 'this one'}`, field);
    if (!row.handle) throw validation('headerSampleId: the example file has not been uploaded yet', field);
    return row.handle;
  }
}

/** Meta's answers to the upload, as the page shows them. */
function refusal(err: unknown): unknown {
  if (!(err instanceof MetaApiError)) return err;
  if (err.network || err.httpStatus === undefined || err.httpStatus >= 500) return new AppError(502, 'META_UNAVAILABLE', `Meta did not answer: ${err.message}`);
  if (err.code === 190) return new AppError(409, 'NUMBER_TOKEN_INVALID', 'The number’s access token is no longer valid: reconnect it');
  return validation(`Meta refused the file: ${err.details ?? err.message}`, { file: err.details ?? err.message });
}

export interface SampleRouteDeps {
  samples: TemplateSamples;
  signed: RequestHandler;
  once: RequestHandler;
  /** CSP frame-ancestors: HubSpot opens the page in its iframe modal (config.frameAncestors). */
  frameAncestors: readonly string[];
  /** The caller, when an admin of the app (else it throws 403). */
  admin(req: Request): Promise<{ portalId: number; userId: number }>;
}

const linkInput = z.object({ phoneNumberId: z.string().min(1, 'Required'), format: z.enum(['IMAGE', 'VIDEO', 'DOCUMENT']) });
const MAX_BYTES = Math.max(...Object.values(SAMPLE_TYPES).map((t) => t.maxBytes));

export function registerSampleRoutes(router: Router, d: SampleRouteDeps): void {
  router.post('/api/v1/templates/sample-links', d.signed, d.once, async (req, res) => {
    const caller = await d.admin(req);
    const p = linkInput.safeParse(req.body);
    if (!p.success) throw validation('An example file needs phoneNumberId and format (IMAGE, VIDEO or DOCUMENT)', zodDetails(p.error));
    res.status(201).json(await d.samples.createLink({ ...caller, ...p.data }));
  });
  router.get('/api/v1/templates/samples/:id', d.signed, async (req, res) => {
    const { portalId } = await d.admin(req);
    res.json({ sample: await d.samples.view(portalId, String(req.params.id)) });
  });

  // The same page policy as the attachment upload page: framed by HubSpot only, one nonce'd script.
  const framed = { frameAncestors: d.frameAncestors, connectSelf: true };
  const title = 'Example file for a WhatsApp template';
  router.get('/template-sample/:token', async (req, res) => {
    const s = await d.samples.peek(String(req.params.token));
    const expired = '<p class="bad" data-testid="sample-expired">This upload link has expired or was already used. Close this window and click <b>Upload an example file</b> again.</p>';
    if (!s) return sendPage(res, (n) => page(n, expired, title), { ...framed, status: 410 });
    sendPage(res, (n) => page(n, form(n, s.format), title), framed);
  });

  // Browsers send the file name as raw UTF-8; busboy's default would read it as latin-1.
  const upload = multer({ storage: multer.memoryStorage(), defParamCharset: 'utf8', limits: { fileSize: MAX_BYTES, files: 1, fields: 2, fieldSize: 1024 } }).single('file');
  // The link is the credential: a file (up to 100 MB) is only read for a link that is still usable.
  const usableLink: RequestHandler = async (req, _res, next) => {
    try {
      if (await d.samples.peek(String(req.params.token))) return next();
      next(new AppError(410, 'LINK_EXPIRED', 'This upload link has expired or was already used. Close this window and try again.'));
    } catch (err) {
      next(err);
    }
  };
  router.post(
    '/template-sample/:token',
    usableLink,
    (req, res, next) => upload(req, res, (err: unknown) => (err ? next(new AppError(413, 'VALIDATION', `The file is too large: at most ${formatBytes(MAX_BYTES)}.`, { file: 'too large' })) : next())),
    async (req, res) => {
      const f = (req as express.Request & { file?: Express.Multer.File }).file;
      if (!f || f.size === 0) throw validation('Choose a file to upload.', { file: 'required' });
      const sample = await d.samples.upload(String(req.params.token), { bytes: f.buffer, mimeType: f.mimetype, filename: cleanFilename(storableText(f.originalname), 'example') });
      res.status(201).json({ sample });
    },
  );
}

function form(nonce: string, format: SampleFormat): string {
  const t = SAMPLE_TYPES[format];
  const kinds = t.mime.map((m) => m.split('/')[1]!.toUpperCase()).join(' or ');
  return `<form id="f" enctype="multipart/form-data">
  <label>Example ${format.toLowerCase()} <input type="file" name="file" id="file" data-testid="sample-file" accept="${t.mime.join(',')}" required></label>
  <p class="hint">${kinds}, at most ${formatBytes(t.maxBytes)}. Meta's reviewers see it as the example of this header.</p>
  <button type="submit" data-testid="sample-upload">Upload to Meta</button>
  <p id="out" role="status" data-testid="sample-result"></p>
</form>
${submitScript(nonce, { busy: 'Uploading…', state: 'uploaded', done: 'Uploaded. This window closes…' })}`;
}
