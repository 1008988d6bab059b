// Pure helpers for the card: window countdown, labels, Meta error reasons, template preview.
import type { Consent, ConversationStatus, DeliveryStatus, MessageError, Template } from './types';

export const DEFAULT_URGENT_MINUTES = 120;

export interface WindowState {
  open: boolean;
  /** ms left; 0 when closed */
  remainingMs: number;
  urgent: boolean;
  text: string;
}

export function formatDuration(ms: number): string {
  const totalMin = Math.max(0, Math.floor(ms / 60000));
  const h = Math.floor(totalMin / 60);
  const m = totalMin % 60;
  if (h === 0) return `${m} min`;
  return `${h} h ${m} min`;
}

export function windowState(
  windowExpiresAt: string | null | undefined,
  now: number,
  urgentMinutes: number = DEFAULT_URGENT_MINUTES,
  serverUrgent = false,
): WindowState {
  const expires = windowExpiresAt ? Date.parse(windowExpiresAt) : NaN;
  if (!Number.isFinite(expires) || expires <= now) {
    return { open: false, remainingMs: 0, urgent: false, text: 'Window closed' };
  }
  const remainingMs = expires - now;
  const urgent = serverUrgent || remainingMs < urgentMinutes * 60000;
  const left = formatDuration(remainingMs);
  return { open: true, remainingMs, urgent, text: urgent ? `Urgent: ${left} left to reply` : `${left} left to reply` };
}

export const STATUS_LABEL: Record<ConversationStatus, string> = {
  bot: 'With the consent bot',
  open: 'Open',
  pending: 'Pending (waiting on customer)',
  resolved: 'Resolved',
};

export const CONSENT_LABEL: Record<Consent, string> = {
  granted: 'Consent granted',
  declined: 'Consent declined',
  unknown: 'No consent recorded',
};

export const DELIVERY_LABEL: Record<DeliveryStatus, string> = {
  accepted: 'Sending',
  sent: 'Sent',
  delivered: 'Delivered',
  read: 'Read',
  failed: 'Failed',
};

export function deliveryVariant(s: DeliveryStatus): 'danger' | 'warning' | 'info' | 'success' | 'default' {
  switch (s) {
    case 'failed':
      return 'danger';
    case 'read':
      return 'success';
    case 'delivered':
      return 'info';
    default:
      return 'default';
  }
}

const META_REASONS: Record<string, string> = {
  '131047': 'More than 24 hours have passed since the customer last wrote. Send a template to reopen the conversation.',
  '131026': 'WhatsApp could not deliver it: the number may not use WhatsApp, or the customer has an old app or has not accepted WhatsApp\'s latest terms.',
  '131049': 'WhatsApp held it back to limit how many business messages this customer gets. Wait at least 24 hours before trying again.',
  '131050': 'The customer has stopped marketing messages from this business.',
  '131056': 'Too many messages to this customer in a short time. Wait a few seconds and try again.',
  '130429': 'The WhatsApp number reached its sending rate limit. Try again shortly.',
  '131051': 'WhatsApp does not support this type of message.',
  '131052': 'The customer\'s file could not be downloaded (it may be too large).',
  '131053': 'The file could not be sent: wrong file type or too large.',
  '131008': 'A required value was missing from the message.',
  '131009': 'A value in the message was not valid.',
  '132000': 'The number of template values does not match the template.',
  '132001': 'The template does not exist in this language or is not approved.',
  '132005': 'The template became too long with these values. Shorten them.',
  '132007': 'The template content breaks WhatsApp\'s policies.',
  '132012': 'A template value is not formatted correctly.',
  '132015': 'WhatsApp paused this template because of low quality.',
  '132016': 'WhatsApp permanently disabled this template.',
  '131048': 'WhatsApp is limiting sends because earlier messages were blocked or reported as spam.',
  '131064': 'WhatsApp is limiting sends because of template category violations.',
  '131057': 'The WhatsApp account is under maintenance. Try again later.',
  '131042': 'There is a problem with the WhatsApp Business payment method. Tell your admin.',
  '131031': 'The WhatsApp Business account is locked. Tell your admin.',
  '368': 'The WhatsApp Business account is restricted for a policy violation. Tell your admin.',
  '130497': 'This WhatsApp Business account cannot message customers in this country.',
  '0': 'The connection to WhatsApp expired. Ask your admin to reconnect the number.',
  '190': 'The connection to WhatsApp expired. Ask your admin to reconnect the number.',
  '131000': 'WhatsApp had a temporary problem. Try again.',
  '131016': 'WhatsApp is temporarily unavailable. Try again later.',
};

/** Meta's failure reason in plain words. */
export function failureReason(error: MessageError | null | undefined): string {
  if (!error) return 'WhatsApp could not deliver this message.';
  const known = META_REASONS[String(error.code)];
  if (known) return known;
  return error.message || error.title || 'WhatsApp could not deliver this message.';
}

export function formatTime(iso: string, timeZone?: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  try {
    return new Intl.DateTimeFormat('en-GB', {
      day: 'numeric',
      month: 'short',
      hour: '2-digit',
      minute: '2-digit',
      timeZone,
    }).format(d);
  } catch {
    return d.toISOString();
  }
}

/** Substitutes {{1}} / {{name}} in the header and body; unfilled placeholders stay visible. */
export function renderTemplatePreview(t: Template, values: string[]): string {
  const vals: Record<'header' | 'body', Record<string, string>> = { header: {}, body: {} };
  t.placeholders.forEach((p, i) => {
    const v = values[i] ?? '';
    if (v !== '' && p.component !== 'button') vals[p.component][p.name ?? String(p.index)] = v;
  });
  const fill = (s: string, map: Record<string, string>) =>
    s.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (m, key: string) => map[key] ?? m);
  const parts: string[] = [];
  if (t.header?.text) parts.push(fill(t.header.text, vals.header));
  parts.push(fill(t.body, vals.body));
  if (t.footer) parts.push(t.footer);
  const buttons = (t.buttons ?? []).map((b) => b.text).filter((x): x is string => !!x);
  if (buttons.length) parts.push(buttons.map((b) => `[ ${b} ]`).join(' '));
  return parts.join('\n\n');
}

export function placeholderLabel(p: { component: string; index: number; name?: string; buttonIndex?: number }): string {
  const key = `{{${p.name ?? p.index}}}`;
  if (p.component === 'header') return `Header ${key}`;
  if (p.component === 'button') return `Button ${(p.buttonIndex ?? 0) + 1} link ${key}`;
  return `Body ${key}`;
}

/** Meta's rule for template parameter text. Returns an error message or null. */
export function checkTemplateParam(v: string): string | null {
  if (v.trim() === '') return 'Required';
  if (/[\n\t]/.test(v)) return 'No line breaks or tabs allowed';
  if (/ {5,}/.test(v)) return 'No more than 4 spaces in a row';
  return null;
}

export function isMediaHeader(t: Template): boolean {
  return !!t.header && t.header.format !== 'TEXT';
}
