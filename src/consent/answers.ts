/** Reading the customer's answer to the consent prompt, and opt-out / opt-in keywords. */

export const CONSENT_BUTTON = { accept: 'consent:accept', decline: 'consent:decline' } as const;

export type ConsentAnswer = 'accept' | 'decline';

/** Lower case, no accents, no punctuation or emoji at the ends, single spaces. */
export function normalizeAnswer(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

// Typed answers that count, where unambiguous. Whole-message matches only: "no sé" or
// "si pero antes una pregunta" are not an answer and the bot asks again.
const ACCEPT = new Set([
  'si', 'sí', 'si acepto', 'acepto', 'autorizo', 'si autorizo', 'de acuerdo', 'estoy de acuerdo', 'claro', 'claro que si',
  'yes', 'accept', 'i accept', 'i agree', 'agree', 'yes i accept', 'ok acepto', 'acepto gracias', 'si gracias',
].map(normalizeAnswer));
const DECLINE = new Set([
  'no', 'no acepto', 'no autorizo', 'no gracias', 'rechazo', 'no estoy de acuerdo',
  'decline', 'i decline', 'no thanks', 'no thank you', 'i do not accept', 'i dont accept', 'do not accept', 'dont accept', 'i disagree',
].map(normalizeAnswer));

/** The answer in a typed text, or null when it is not clearly one of them. */
export function classifyTypedAnswer(text: string | null | undefined): ConsentAnswer | null {
  if (!text) return null;
  const n = normalizeAnswer(text);
  if (!n) return null;
  if (ACCEPT.has(n)) return 'accept';
  if (DECLINE.has(n)) return 'decline';
  return null;
}

/** The answer in a tapped reply button (ours) or a template quick-reply payload. */
export function classifyButton(id: string | null | undefined): ConsentAnswer | null {
  if (!id) return null;
  if (id === CONSENT_BUTTON.accept || id.startsWith(`${CONSENT_BUTTON.accept}:`)) return 'accept';
  if (id === CONSENT_BUTTON.decline || id.startsWith(`${CONSENT_BUTTON.decline}:`)) return 'decline';
  return null;
}

/** Whether a whole message is one of the keywords (case, accents and surrounding punctuation ignored). */
export function matchesKeyword(text: string | null | undefined, keywords: string[]): boolean {
  if (!text) return false;
  const n = normalizeAnswer(text);
  if (!n) return false;
  return keywords.some((k) => normalizeAnswer(k) === n);
}
