import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(raw body, app secret)>`, checked on the exact request
 * bytes (never re-serialized JSON: Meta signs its escaped-unicode form) in constant time.
 */
export function isValidMetaSignature(raw: Buffer, header: string | undefined, appSecret: string): boolean {
  if (!appSecret || typeof header !== 'string' || !header.startsWith('sha256=')) return false;
  const got = header.slice('sha256='.length);
  if (!/^[0-9a-fA-F]{64}$/.test(got)) return false; // fixed length before timingSafeEqual
  const expected = createHmac('sha256', appSecret).update(raw).digest();
  return timingSafeEqual(expected, Buffer.from(got, 'hex'));
}

/** Constant-time string comparison (verify token); false for different lengths without early exit on content. */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHmac('sha256', 'cmp').update(a).digest();
  const hb = createHmac('sha256', 'cmp').update(b).digest();
  return timingSafeEqual(ha, hb) && a.length === b.length;
}

export function signMetaBody(raw: Buffer | string, appSecret: string): string {
  return 'sha256=' + createHmac('sha256', appSecret).update(raw).digest('hex');
}
