// Signed link tokens `<id>.<exp>.<sig>`: HMAC-SHA256 over `<purpose>:<id>.<exp>`, so a token made for
// one kind of link (an attachment upload, a template sample upload) is worthless for another.
import { createHmac, timingSafeEqual } from 'node:crypto';

const sign = (key: Buffer, purpose: string, id: string, exp: number) => createHmac('sha256', key).update(`${purpose}:${id}.${exp}`).digest('base64url');

export function linkToken(key: Buffer, purpose: string, id: string, exp: number): string {
  return `${id}.${exp}.${sign(key, purpose, id, exp)}`;
}

/** The token's id when it is well formed, signed for `purpose` and not expired at `nowMs`. */
export function verifyLinkToken(key: Buffer, purpose: string, token: string, nowMs: number): string | null {
  const m = /^([A-Za-z0-9_-]{10,64})\.(\d{10,16})\.([A-Za-z0-9_-]{20,100})$/.exec(token);
  if (!m) return null;
  const [, id, expS, sig] = m;
  const want = Buffer.from(sign(key, purpose, id!, Number(expS)));
  const got = Buffer.from(sig!);
  if (want.length !== got.length || !timingSafeEqual(want, got)) return null;
  return Number(expS) > nowMs ? id! : null;
}
