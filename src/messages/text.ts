// What counts as text we can store and send. PostgreSQL cannot store U+0000; a lone UTF-16
// surrogate is not Unicode text; and a message of only spaces or invisible characters (zero-width
// space, joiners, bidi marks, BOM, Hangul fillers, variation selectors…) shows the customer
// nothing, so it is refused rather than sent.

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g');

/** Whitespace, control and format characters (Cc, Cf: zero-width, bidi, BOM, soft hyphen) and the blank-looking letters. */
const INVISIBLE = /[\s\p{Cc}\p{Cf}\p{Zs}\u034F\u115F\u1160\u2800\u3164\uFFA0\uFE00-\uFE0F\u{E0100}-\u{E01EF}]/gu;

/** Why `s` cannot be stored as text, or undefined. */
export function textProblem(s: string): string | undefined {
  if (s.includes('\u0000')) return 'contains a NUL character (U+0000), which is not allowed';
  if (LONE_SURROGATE.test(s)) return 'contains an unpaired UTF-16 surrogate (not valid Unicode text)';
  return undefined;
}

/** True when something visible is left once whitespace and invisible characters are removed. */
export function hasVisibleText(s: string): boolean {
  return s.replace(INVISIBLE, '').length > 0;
}

/** For text we did not get as JSON (multipart file names and fields): NUL removed, lone surrogates → U+FFFD. */
export function storableText(s: string): string {
  return s.replace(/\u0000/g, '').replace(LONE_SURROGATES, '\uFFFD');
}
