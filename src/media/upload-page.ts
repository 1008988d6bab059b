// The card's attachment upload (SPEC F14): @hubspot/ui-extensions 0.17 has no file input, so the card
// asks for a short-lived single-use link (through hubspot.fetch, signed by HubSpot) and opens our
// upload page in an iframe modal; the page posts the file straight to us.
//   POST /api/v1/contacts/:contactId/upload-links   (signed) → { url, expiresAt }
//   GET  /upload/:token                              the page
//   POST /upload/:token                              multipart `file` (+ `caption`): sends it, uses the link up
import express, { type RequestHandler, type Router } from 'express';
import multer from 'multer';
import { AppError } from '../errors.js';
import { cleanFilename } from '../http/content-disposition.js';
import { sendPage } from '../http/security-headers.js';
import { storableText } from '../messages/text.js';
import { formatBytes, MEDIA_LIMITS } from './rules.js';
import type { UploadLinks } from './upload-links.js';

type Kind = 'image' | 'document' | 'audio' | 'video' | 'sticker';

export interface UploadPageDeps {
  links: UploadLinks;
  /** HubSpot's signature check for the extension API (binds the caller). */
  signed: RequestHandler;
  callerOf: (req: express.Request) => { portalId: number; userId: number };
  quotaBytes: number;
  /** CSP frame-ancestors: HubSpot opens the page in its iframe modal (config.frameAncestors). */
  frameAncestors: readonly string[];
  /** Checks consent / window, uploads (type, size, quota) and sends; the conversations domain does this. */
  send(
    caller: { portalId: number; userId: number },
    hubspotContactId: string,
    file: { bytes: Buffer; mimeType: string; filename: string; caption?: string; clientKey: string },
  ): Promise<{ message: unknown }>;
}

const MAX_BYTES = Math.max(...Object.values(MEDIA_LIMITS).map((l) => l.maxBytes));
const ACCEPT = Object.values(MEDIA_LIMITS).flatMap((l) => l.mimes).join(',');
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function registerUploadRoutes(router: Router, d: UploadPageDeps): void {
  router.post('/api/v1/contacts/:contactId/upload-links', d.signed, async (req, res) => {
    const contactId = String(req.params.contactId);
    if (!/^\d{1,20}$/.test(contactId)) throw new AppError(400, 'VALIDATION', 'contactId must be a HubSpot contact id', { contactId: 'digits only' });
    const c = d.callerOf(req);
    res.status(201).json(await d.links.create({ portalId: c.portalId, userId: c.userId, hubspotContactId: contactId }));
  });

  const framed = { frameAncestors: d.frameAncestors, connectSelf: true };
  router.get('/upload/:token', async (req, res) => {
    const grant = await d.links.peek(String(req.params.token));
    if (!grant) return sendPage(res, (n) => page(n, '<p class="bad" data-testid="upload-expired">This upload link has expired or was already used. Close this window and click <b>Attach a file</b> again.</p>'), { ...framed, status: 410 });
    sendPage(res, (n) => page(n, form(n, d.quotaBytes)), framed);
  });

  // Browsers send the file name as raw UTF-8 ("报告.pdf"); busboy's default would read it as latin-1.
  const upload = multer({ storage: multer.memoryStorage(), defParamCharset: 'utf8', limits: { fileSize: MAX_BYTES, files: 1, fields: 5, fieldSize: 8 * 1024 } }).single('file');
  // The link is the credential: a file (up to 100 MB) is only read for a link that is still usable.
  const usableLink: RequestHandler = async (req, _res, next) => {
    try {
      if (await d.links.peek(String(req.params.token))) return next();
      next(new AppError(410, 'LINK_EXPIRED', 'This upload link has expired or was already used. Close this window and try again.'));
    } catch (err) {
      next(err);
    }
  };
  router.post('/upload/:token', usableLink, (req, res, next) => {
    upload(req, res, (err: unknown) => {
      if (err) return next(new AppError(413, 'VALIDATION', `The file is too large: WhatsApp accepts at most ${formatBytes(MAX_BYTES)}.`, { file: 'too large' }));
      next();
    });
  }, async (req, res) => {
    const f = (req as express.Request & { file?: Express.Multer.File }).file;
    if (!f || f.size === 0) throw new AppError(400, 'VALIDATION', 'Choose a file to send.', { file: 'required' });
    const grant = await d.links.consume(String(req.params.token));
    if (!grant) throw new AppError(410, 'LINK_EXPIRED', 'This upload link has expired or was already used. Close this window and try again.');
    const caption = typeof req.body?.caption === 'string' ? storableText(req.body.caption) : undefined;
    try {
      const r = await d.send({ portalId: grant.portalId, userId: grant.userId }, grant.hubspotContactId, {
        bytes: f.buffer, mimeType: f.mimetype, filename: cleanFilename(storableText(f.originalname)), caption, clientKey: `upload:${grant.id}`,
      });
      res.status(201).json(r);
    } catch (err) {
      await d.links.release(grant.id).catch(() => undefined); // nothing was sent: the agent may pick another file
      throw err;
    }
  });
}

function form(nonce: string, quotaBytes: number): string {
  const types = (Object.keys(MEDIA_LIMITS) as Kind[]).filter((k) => k !== 'sticker').map((k) => `${k} up to ${formatBytes(MEDIA_LIMITS[k].maxBytes)}`).join(', ');
  return `<form id="f" enctype="multipart/form-data">
  <label>File <input type="file" name="file" id="file" data-testid="upload-file" accept="${esc(ACCEPT)}" required></label>
  <label>Caption (optional) <input type="text" name="caption" data-testid="upload-caption" maxlength="1024"></label>
  <p class="hint">PDF, JPEG or PNG (and Meta's other types: ${esc(types)}). Each contact can receive ${esc(formatBytes(quotaBytes))} of attachments a month.</p>
  <button type="submit" data-testid="upload-send">Send on WhatsApp</button>
  <p id="out" role="status" data-testid="upload-result"></p>
</form>
${submitScript(nonce, { busy: 'Sending…', state: 'sent', done: 'Sent. This window closes…' })}`;
}

/**
 * The upload form's script (every upload page: attachments, template samples, campaign CSVs): posts
 * the form to the page's own link, shows the answer, closes HubSpot's iframe modal once done. A used
 * or expired link keeps the button disabled. With `details`, a refusal's `details` are listed in the
 * page's `#rows` (a campaign CSV's `recipients.N.field` as "Row N+1, field").
 */
export function submitScript(nonce: string, t: { busy: string; state: string; done: string; details?: boolean }): string {
  const details = t.details
    ? `
    for (const [k, v] of Object.entries((err.details) || {}).slice(0, 20)) {
      const li = document.createElement('li');
      const m = /^recipients\\.(\\d+)\\.(.*)$/.exec(k);
      li.textContent = m ? 'Row ' + (Number(m[1]) + 1) + ', ' + m[2] + ': ' + v : k + ': ' + v;
      rows.appendChild(li);
    }`
    : '';
  return `<script nonce="${nonce}">
const f = document.getElementById('f'), out = document.getElementById('out'), rows = document.getElementById('rows');
const done = () => window.parent.postMessage(JSON.stringify({ action: 'DONE' }), '*');
f.addEventListener('submit', async (e) => {
  e.preventDefault();
  out.className = ''; out.textContent = ${JSON.stringify(t.busy)};
  if (rows) rows.textContent = '';
  f.querySelector('button').disabled = true;
  try {
    const r = await fetch(location.pathname, { method: 'POST', body: new FormData(f) });
    const b = await r.json().catch(() => ({}));
    if (!r.ok) throw Object.assign(new Error((b.error && b.error.message) || ('HTTP ' + r.status)), { details: b.error && b.error.details });
    out.className = 'ok'; out.dataset.state = ${JSON.stringify(t.state)}; out.textContent = ${JSON.stringify(t.done)};
    setTimeout(done, 800);
  } catch (err) {
    out.className = 'bad'; out.dataset.state = 'failed'; out.textContent = err.message;${details}
    if (/expired|already used/.test(err.message)) return;
    f.querySelector('button').disabled = false;
  }
});
</script>`;
}

/** The HTML shell of an upload page opened in HubSpot's iframe modal (also the template sample page). */
export function page(nonce: string, body: string, title = 'Send an attachment on WhatsApp'): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>${esc(title)}</title>
<style nonce="${nonce}">body{font:14px/1.45 system-ui,sans-serif;color:#33475b;margin:16px}label{display:flex;flex-direction:column;gap:4px;margin:0 0 12px;font-weight:600}
input[type=text]{padding:6px 8px;border:1px solid #cbd6e2;border-radius:3px}.hint{font-size:12px;color:#516f90}
button{background:#ff7a59;color:#fff;border:0;border-radius:3px;padding:8px 16px;font-weight:600;cursor:pointer}button:disabled{opacity:.5}
.ok{color:#00a38d;font-weight:600}.bad{color:#d94c53;font-weight:600}</style></head><body>${body}</body></html>`;
}
