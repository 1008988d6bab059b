// The campaign CSV upload page (issue 14): @hubspot/ui-extensions has no file input, so the app page
// asks for a campaign audience (POST /api/v1/campaigns/audiences {source:"csv"}, through hubspot.fetch)
// and opens the short-lived single-use link it returns in HubSpot's iframe modal, as the card does for
// attachments (src/media/upload-page.ts: the same shell, page policy and link tokens). The file is
// checked whole against the template: a bad row → 422 naming the rows, and the link stays usable for a
// corrected file; a good file makes the audience `ready`, which uses the link up.
//   GET  /upload/audience/:token              the page (the template's columns, the sample)
//   GET  /upload/audience/:token/sample.csv   the sample CSV for the audience's template
//   POST /upload/audience/:token              multipart `file`
import type { Request, RequestHandler, Router } from 'express';
import multer from 'multer';
import { AppError } from '../errors.js';
import { cleanFilename, contentDisposition } from '../http/content-disposition.js';
import { sendPage } from '../http/security-headers.js';
import { page, submitScript } from '../media/upload-page.js';
import { storableText } from '../messages/text.js';
import type { AudienceDbRow, AudienceService } from './audiences.js';

const MAX_CSV_BYTES = 10 * 1024 * 1024;
const TITLE = 'Upload the campaign recipients';
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const expired = () => new AppError(410, 'LINK_EXPIRED', 'This upload link has expired or was already used. Close this window and try again.');

export function registerAudienceUpload(router: Router, d: { audiences: AudienceService; frameAncestors: readonly string[] }): void {
  const framed = { frameAncestors: d.frameAncestors, connectSelf: true };
  const audienceOf = async (req: Request): Promise<AudienceDbRow> => {
    const a = await d.audiences.peek(String(req.params.token));
    if (!a) throw expired();
    return a;
  };

  router.get('/upload/audience/:token', async (req, res) => {
    const a = await d.audiences.peek(String(req.params.token));
    if (!a) {
      const gone = '<p class="bad" data-testid="upload-expired">This upload link has expired or was already used. Close this window and choose <b>Upload a CSV file</b> again.</p>';
      return sendPage(res, (n) => page(n, gone, TITLE), { ...framed, status: 410 });
    }
    const columns = (await d.audiences.sampleFor(a)).split('\r\n')[0]!;
    sendPage(res, (n) => page(n, form(n, a, columns, `${String(req.params.token)}/sample.csv`), TITLE), framed);
  });

  router.get('/upload/audience/:token/sample.csv', async (req, res) => {
    const a = await audienceOf(req);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', contentDisposition('attachment', `${a.template_name}-sample.csv`, 'sample.csv'));
    res.setHeader('Cache-Control', 'no-store');
    res.send(await d.audiences.sampleFor(a));
  });

  // The link is the credential: a file is only read for a link that is still usable.
  const usableLink: RequestHandler = (req, _res, next) => void audienceOf(req).then(() => next(), next);
  const upload = multer({ storage: multer.memoryStorage(), defParamCharset: 'utf8', limits: { fileSize: MAX_CSV_BYTES, files: 1, fields: 2, fieldSize: 1024 } }).single('file');
  router.post('/upload/audience/:token', usableLink, (req, res, next) => {
    upload(req, res, (err: unknown) => {
      if (err) return next(new AppError(413, 'VALIDATION', 'The file is too large: at most 10 MB.', { file: 'too large' }));
      next();
    });
  }, async (req, res) => {
    const a = await audienceOf(req);
    const f = (req as Request & { file?: Express.Multer.File }).file;
    if (!f || f.size === 0) throw new AppError(400, 'VALIDATION', 'Choose a CSV file.', { file: 'required' });
    // Checked before anything is kept: a refused file can be corrected and sent again with the same link.
    const rows = await d.audiences.checkCsv(a, f.buffer.toString('utf8'));
    res.status(201).json(await d.audiences.storeCsv(a, rows, cleanFilename(storableText(f.originalname), 'recipients.csv')));
  });
}

function form(nonce: string, a: AudienceDbRow, columns: string, sampleHref: string): string {
  return `<form id="f" enctype="multipart/form-data">
  <p>Template <b>${esc(a.template_name)}</b> (${esc(a.language)}). Columns: <code data-testid="upload-columns">${esc(columns)}</code></p>
  <p class="hint">One recipient per row: the phone (national numbers are read in the sending number's country), then one value per placeholder. Every row is checked before anything is kept. <a href="${esc(sampleHref)}" download data-testid="upload-sample">Download a sample CSV</a></p>
  <label>CSV file <input type="file" name="file" id="file" data-testid="upload-file" accept=".csv,text/csv" required></label>
  <button type="submit" data-testid="upload-send">Check and upload</button>
  <p id="out" role="status" data-testid="upload-result"></p>
  <ul id="rows" data-testid="upload-rows"></ul>
</form>
${submitScript(nonce, { busy: 'Checking…', state: 'ready', done: 'Recipients ready. This window closes…', details: true })}`;
}
