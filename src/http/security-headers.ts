// Security headers. Every response gets the strict baseline (nothing we answer is meant to be
// framed, sniffed or to run scripts); the few HTML pages (OAuth install pages, the attachment upload
// page) get a page policy with a per-response nonce for their one inline <style>/<script>; customer
// files get a sandbox (src/whatsapp/routes.ts). Set by hand: five headers do not need a dependency.
import { randomBytes } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import type { Config } from '../config.js';

/** What the API, CSV exports and error answers carry: no rendering, no framing. */
export const LOCKED_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** A customer's file: even if a browser rendered it, it runs sandboxed, with no script and no origin. */
export const MEDIA_CSP = "default-src 'none'; sandbox; frame-ancestors 'none'";

export function baseSecurityHeaders(config: Config): RequestHandler {
  const hsts = config.publicBaseUrl.startsWith('https://');
  return (_req, res, next) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Content-Security-Policy', LOCKED_CSP);
    if (hsts) res.setHeader('Strict-Transport-Security', 'max-age=15552000');
    next();
  };
}

export interface PageOptions {
  status?: number;
  /**
   * Who may frame the page: none (default) or these CSP sources — the upload page opens in
   * HubSpot's iframe modal, so it passes `config.frameAncestors` (HubSpot's app domains, and in
   * development the local demo / extension host).
   */
  frameAncestors?: readonly string[];
  /** `fetch` targets of the page's script ('self' is enough for the upload page). */
  connectSelf?: boolean;
}

/** Sends an HTML page under its own CSP; `html(nonce)` puts the nonce on its inline <style>/<script>. */
export function sendPage(res: Response, html: (nonce: string) => string, o: PageOptions = {}): void {
  const nonce = randomBytes(16).toString('base64');
  const framing = o.frameAncestors?.length ? o.frameAncestors.join(' ') : "'none'";
  const csp = [
    "default-src 'none'",
    `style-src 'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
    "img-src 'self' data:",
    ...(o.connectSelf ? ["connect-src 'self'", "form-action 'self'"] : ["form-action 'none'"]),
    "base-uri 'none'",
    `frame-ancestors ${framing}`,
  ].join('; ');
  res.setHeader('Content-Security-Policy', csp);
  if (o.frameAncestors?.length) res.removeHeader('X-Frame-Options'); // CSP frame-ancestors decides
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cache-Control', 'no-store');
  res.status(o.status ?? 200).type('html').send(html(nonce));
}
