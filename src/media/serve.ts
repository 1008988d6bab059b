// How a stored attachment is answered from our origin (GET /media/:id). What a customer sent is
// untrusted: an HTML or SVG file shown inline from our origin would run its script as us (stored
// XSS). Only plain raster images are shown inline (the card's <img>); every other file is a
// download, under a sandbox CSP and nosniff, with a Content-Type we recognise.
import { contentDisposition } from '../http/content-disposition.js';
import { MEDIA_CSP } from '../http/security-headers.js';
import { baseMime, MEDIA_LIMITS } from './rules.js';

/** Raster images a browser cannot execute: the only types served inline. */
export const INLINE_MIME_TYPES = new Set(['image/jpeg', 'image/png', 'image/webp', 'image/gif']);

/** Types we pass on as they are (Meta's media types); anything else is application/octet-stream. */
const KNOWN_MIME_TYPES = new Set([...Object.values(MEDIA_LIMITS).flatMap((l) => l.mimes), ...INLINE_MIME_TYPES]);

export function mediaResponseHeaders(mo: { mime_type: string | null; filename: string | null; id: number }): Record<string, string> {
  const mime = baseMime(mo.mime_type ?? '');
  const known = KNOWN_MIME_TYPES.has(mime);
  const inline = INLINE_MIME_TYPES.has(mime);
  // "audio/ogg; codecs=opus" keeps its one parameter when it is harmless (token characters only)
  const param = (mo.mime_type ?? '').split(';').slice(1).join(';').trim();
  const type = known ? (/^[\w.+-]+=[\w.+-]+$/.test(param) ? `${mime}; ${param}` : mime) : 'application/octet-stream';
  return {
    'Content-Type': type,
    'Content-Disposition': contentDisposition(inline ? 'inline' : 'attachment', mo.filename, `attachment-${mo.id}`),
    'Content-Security-Policy': MEDIA_CSP,
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'private, max-age=900',
  };
}
