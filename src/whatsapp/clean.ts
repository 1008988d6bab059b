/**
 * Cleaning at the edge of the webhook: what PostgreSQL (text, jsonb) or JSON.stringify cannot hold
 * is made harmless before anything is stored, so one odd character never fails a transaction.
 */

/** Deeper than this, a message or status item is refused (Meta's are ~6 levels; JSON.stringify recurses). */
export const MAX_ITEM_DEPTH = 32;
/** Unix seconds accepted from Meta: 2001-09-09 … 2100-01-01 (milliseconds or garbage are out). */
export const MIN_UNIX_SECONDS = 1_000_000_000;
export const MAX_UNIX_SECONDS = 4_102_444_800;

const REPLACEMENT = '\uFFFD';
// NUL (text and jsonb refuse it) and UTF-16 surrogates without their pair (jsonb refuses them).
const BAD = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** NUL and lone surrogates replaced by U+FFFD; every other character kept. */
export function cleanText(s: string): string {
  return s.replace(BAD, REPLACEMENT);
}

/** For reasons and logs we store: clean and at most `max` characters. */
export function cleanReason(s: string, max = 1000): string {
  const c = cleanText(s);
  return c.length > max ? `${c.slice(0, max - 1)}…` : c;
}

/**
 * Cleans every string and key of a parsed JSON value in place (iteratively: a body nested
 * 100,000 deep does not overflow the stack). Returns the (possibly replaced) root.
 */
export function cleanJson(root: unknown): unknown {
  if (typeof root === 'string') return cleanText(root);
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        const v = node[i];
        if (typeof v === 'string') node[i] = cleanText(v);
        else if (v !== null && typeof v === 'object') stack.push(v);
      }
    } else if (node !== null && typeof node === 'object') {
      const obj = node as Record<string, unknown>;
      for (const key of Object.keys(obj)) {
        const v = obj[key];
        const k = cleanText(key);
        if (k !== key) {
          delete obj[key];
          obj[k] = v;
        }
        if (typeof v === 'string') obj[k] = cleanText(v);
        else if (v !== null && typeof v === 'object') stack.push(v);
      }
    }
  }
  return root;
}

/** True when `value` nests objects/arrays deeper than `limit` (iterative, stops at the first too-deep branch). */
export function exceedsDepth(value: unknown, limit = MAX_ITEM_DEPTH): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth > limit) return true;
    for (const v of Object.values(node as Record<string, unknown>)) if (v !== null && typeof v === 'object') stack.push([v, depth + 1]);
  }
  return false;
}

/** Meta's timestamps are unix seconds; anything outside [2001, 2100) is refused rather than stored as an invalid date. */
export function isPlausibleUnixSeconds(n: number): boolean {
  return Number.isFinite(n) && n >= MIN_UNIX_SECONDS && n < MAX_UNIX_SECONDS;
}
