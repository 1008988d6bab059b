/** Renders one WhatsApp message as the body of a HubSpot communication (HubSpot shows it as rich text). */

export interface LoggedMessage {
  id: number;
  direction: 'in' | 'out';
  type: string;
  text: string | null;
  payload: any;
  sender: string;
  template_name: string | null;
  sent_at: Date;
  phone_e164: string | null;
  profile_name: string | null;
  agent_name: string | null;
}

/** The reference that ties a communication to our message (matched when reconciling a lost answer). */
export const refOf = (messageId: number) => `wa-msg-${messageId}`;
export const REF_RE = /wa-msg-(\d+)(?!\d)/;

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
const MAX_BODY = 60_000;

function link(url: unknown, label: string): string | null {
  if (typeof url !== 'string' || !/^https:\/\//i.test(url)) return null;
  return `<a href="${esc(url)}">${esc(label)}</a>`;
}

const MEDIA = ['image', 'document', 'audio', 'video', 'sticker'] as const;
const MEDIA_LABEL: Record<string, string> = { image: 'Image', document: 'Document', audio: 'Audio', video: 'Video', sticker: 'Sticker' };

/** The content lines of a message, from our columns and Meta's parsed payload (or our send request). */
function contentLines(m: LoggedMessage, mediaLink: string | null): string[] {
  const p = m.payload && typeof m.payload === 'object' ? m.payload : {};
  const lines: string[] = [];
  const type = m.type;
  if ((MEDIA as readonly string[]).includes(type) || (p.content?.kind === 'media')) {
    const mediaType = (MEDIA as readonly string[]).includes(type) ? type : String(p.content?.mediaType ?? 'document');
    const media = p[mediaType] ?? p.content ?? {};
    const filename = media.filename ?? p.filename;
    const caption = m.text ?? media.caption ?? p.caption;
    const what = `📎 ${MEDIA_LABEL[mediaType] ?? 'Attachment'}${filename ? `: ${esc(String(filename))}` : ''}`;
    const url = link(mediaLink ?? media.link ?? p.link, 'open');
    lines.push(url ? `${what} (${url})` : what);
    if (caption) lines.push(esc(String(caption)));
    return lines;
  }
  if (type === 'location' && p.location) {
    const l = p.location;
    const where = [l.name, l.address].filter(Boolean).map(String).map(esc).join(', ');
    const maps = Number.isFinite(l.latitude) && Number.isFinite(l.longitude) ? link(`https://maps.google.com/?q=${l.latitude},${l.longitude}`, 'map') : null;
    lines.push(`📍 Location${where ? `: ${where}` : ''}${maps ? ` (${maps})` : ''}`);
    return lines;
  }
  if (type === 'contacts' && Array.isArray(p.contacts)) {
    for (const c of p.contacts) {
      const phones = (c.phones ?? []).map((x: any) => x.phone).filter(Boolean).join(', ');
      lines.push(`👤 Contact card: ${esc(String(c.name?.formatted_name ?? c.name?.first_name ?? ''))}${phones ? ` (${esc(phones)})` : ''}`);
    }
    return lines;
  }
  if (type === 'reaction' && p.reaction) {
    lines.push(p.reaction.emoji ? `Reacted ${esc(String(p.reaction.emoji))} to a message` : 'Removed a reaction');
    return lines;
  }
  if (type === 'template' || m.template_name) {
    const name = m.template_name ?? p.content?.name ?? p.template?.name;
    lines.push(`Template “${esc(String(name ?? 'template'))}”`);
    if (m.text) lines.push(esc(m.text));
    else if (Array.isArray(p.content?.parameters) && p.content.parameters.length) lines.push(`Parameters: ${esc(p.content.parameters.join(' | '))}`);
    return lines;
  }
  if (type === 'interactive' && p.interactive) {
    const r = p.interactive.button_reply ?? p.interactive.list_reply ?? p.interactive.nfm_reply;
    lines.push(esc(String(m.text ?? r?.title ?? r?.body ?? 'Interactive reply')));
    return lines;
  }
  if (type === 'button' && p.button) {
    lines.push(esc(String(m.text ?? p.button.text ?? 'Button reply')));
    return lines;
  }
  if (m.text) {
    lines.push(esc(m.text).replace(/\r?\n/g, '<br>'));
    return lines;
  }
  lines.push(type === 'unsupported' ? 'Unsupported message type' : `(${esc(type)} message)`);
  return lines;
}

const SENDER_LABEL: Record<string, string> = { bot: 'the bot', system: 'the system', campaign: 'a campaign', customer: 'the customer' };

export function communicationBody(m: LoggedMessage, opts: { mediaLink?: string | null } = {}): string {
  const who = [m.profile_name, m.phone_e164].filter(Boolean).join(' · ') || 'customer';
  const header =
    m.direction === 'in'
      ? `⬅ <b>WhatsApp from ${esc(who)}</b>`
      : `➡ <b>WhatsApp to ${esc(who)}</b> · sent by ${esc(m.sender === 'agent' ? (m.agent_name ?? 'an agent') : (SENDER_LABEL[m.sender] ?? m.sender))}`;
  const body = [header, ...contentLines(m, opts.mediaLink ?? null)].join('<br>');
  const ref = `<br><span>ref ${refOf(m.id)}</span>`;
  return (body.length > MAX_BODY ? body.slice(0, MAX_BODY) + '…' : body) + ref;
}
