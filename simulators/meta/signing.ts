// Meta-style webhook serialization and signing.
import { createHmac } from 'node:crypto';

/**
 * Serialize like Meta's webhook sender: compact JSON, every non-ASCII character as a lower-case \uXXXX
 * escape (astral characters as surrogate pairs) and '/' escaped as '\/'. The signature is computed over these
 * exact bytes, so an app that re-serializes the parsed JSON computes a different HMAC.
 */
export function metaJson(payload: unknown): string {
  return JSON.stringify(payload)
    .replace(/[\u007f-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'))
    .replace(/\//g, '\\/');
}

export function signSha256(body: string | Buffer, appSecret: string): string {
  return 'sha256=' + createHmac('sha256', appSecret).update(body).digest('hex');
}

/** The legacy header Meta still sends next to X-Hub-Signature-256. */
export function signSha1(body: string | Buffer, appSecret: string): string {
  return 'sha1=' + createHmac('sha1', appSecret).update(body).digest('hex');
}
