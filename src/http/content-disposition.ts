// Content-Disposition for files we serve (RFC 6266 with an RFC 5987 `filename*`): Node refuses a
// header with characters outside latin-1 (a customer's "报告.pdf" used to answer 500), and a quote
// or a line break in a name must not end the header. Every browser reads `filename*` first; the
// ASCII `filename` is the fallback for the few that do not.

/** attr-char of RFC 5987 (what may stay unescaped in `filename*`). */
const ATTR_CHAR = /[A-Za-z0-9!#$&+\-.^_`|~]/;

/** The name without folders, control characters or surrounding dots/spaces, at most 200 characters. */
export function cleanFilename(name: string | null | undefined, fallback = 'file'): string {
  const base = (name ?? '').split(/[/\\]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const cleaned = [...base.replace(/[\u0000-\u001f\u007f-\u009f]/g, '')].slice(0, 200).join('').replace(/^[\s.]+|[\s.]+$/g, '');
  return cleaned || fallback;
}

/** `"报告.pdf"` → `"__.pdf"`: printable ASCII only, no quote or backslash. */
function asciiFallback(name: string): string {
  return [...name].map((c) => (/^[\x20-\x7e]$/.test(c) && c !== '"' && c !== '\\' && c !== '%' ? c : '_')).join('');
}

/** UTF-8 bytes percent-encoded (a lone surrogate becomes U+FFFD instead of throwing like encodeURIComponent). */
function rfc5987(name: string): string {
  let out = '';
  for (const byte of Buffer.from(name, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += byte < 0x80 && ATTR_CHAR.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** `attachment; filename="__.pdf"; filename*=UTF-8''%E6%8A%A5%E5%91%8A.pdf` (always a valid header value). */
export function contentDisposition(type: 'inline' | 'attachment', filename: string | null | undefined, fallback?: string): string {
  const name = cleanFilename(filename, fallback);
  const ascii = asciiFallback(name);
  return ascii === name ? `${type}; filename="${ascii}"` : `${type}; filename="${ascii}"; filename*=UTF-8''${rfc5987(name)}`;
}
