// The customer's phone: injects inbound messages exactly as Meta would webhook them to the app.
import type { SimContext } from './context.js';
import { wamid as newWamid } from './ids.js';
import { mediaUrl } from './media.js';
import {
  buttonReplyMessage,
  contactsMessage,
  digits,
  inboundPayload,
  listReplyMessage,
  locationMessage,
  mediaMessage,
  reactionMessage,
  templateButtonMessage,
  textMessage,
  unsupportedMessage,
  type ContactCard,
  type InboundBase,
  type Json,
  type LocationInput,
  type MediaKind,
} from './payloads.js';
import { storeMedia } from './routes-media.js';
import type { CustomerProfile, OutboundMessage, SimNumber } from './types.js';

export interface CustomerBase {
  /** The customer's number (wa_id), with or without '+'. */
  from: string;
  /** The business phone_number_id being written to. */
  to: string;
  /** Profile name shown in `contacts[].profile.name` (remembered per customer). */
  name?: string;
  /** Unix seconds (values above 1e11 are read as milliseconds); default the simulator clock. */
  timestamp?: number;
  /** wamid of the business message this one replies to (context). */
  replyToWamid?: string;
}

export interface SendResult {
  wamid: string;
  /** HTTP status of the final webhook delivery attempt (0 when no webhook URL is set or unreachable). */
  status: number;
}

export interface Customer {
  sendText(p: CustomerBase & { text: string; referral?: Json }): Promise<SendResult>;
  sendMedia(
    p: CustomerBase & { kind: MediaKind; bytes: Buffer; mimeType: string; filename?: string; caption?: string; voice?: boolean; animated?: boolean },
  ): Promise<SendResult & { mediaId: string }>;
  sendLocation(p: CustomerBase & LocationInput): Promise<SendResult>;
  sendContacts(p: CustomerBase & { contacts: ContactCard[] }): Promise<SendResult>;
  /** React to a business message; omit `emoji` to remove the reaction. */
  sendReaction(p: CustomerBase & { messageId: string; emoji?: string }): Promise<SendResult>;
  /** Tap an interactive reply button (inbound `interactive.button_reply`). */
  tapButton(p: CustomerBase & { replyToWamid: string; buttonId: string; title: string }): Promise<SendResult>;
  /**
   * Pick a row of an interactive list (inbound `interactive.list_reply`). As on a phone, only a row of
   * that list can be picked (else it throws); its title and description come from the row unless given.
   */
  tapListItem(p: CustomerBase & { replyToWamid: string; rowId: string; title?: string; description?: string }): Promise<SendResult>;
  /** Tap a template QUICK_REPLY button (inbound `type: "button"`). */
  tapTemplateButton(p: CustomerBase & { replyToWamid?: string; payload: string; text: string }): Promise<SendResult>;
  /** Something WhatsApp can't forward (an edit, a poll …): inbound `unsupported` with error 131051. */
  sendUnsupported(p: CustomerBase & { unsupportedType: string }): Promise<SendResult>;
  /** POST any payload, signed (fixtures). Inbound messages it carries are recorded (they open the window). */
  sendRaw(payload: object): Promise<{ status: number }>;
  /** The customer reads a business message → `read` status (preceded by `delivered` if missing). */
  read(wamid: string): Promise<void>;
  /** The customer's phone receives a business message → `delivered` (for autoDeliver: false). */
  deliver(wamid: string): Promise<void>;
  /** What the business sent to this customer, oldest first, with current status. */
  inbox(waId: string): OutboundMessage[];
  /** Behaviour of a customer: not on WhatsApp (131026), stopped marketing (131050), profile name. */
  setProfile(waId: string, profile: CustomerProfile): void;
}

export function createCustomer(ctx: SimContext): Customer {
  const numberOf = (to: string): SimNumber => {
    const n = ctx.store.numbers.get(to) ?? [...ctx.store.numbers.values()].find((x) => digits(x.displayPhoneNumber) === digits(to));
    if (!n) throw new Error(`meta simulator: unknown business phone number ${to}`);
    return n;
  };
  const tsOf = (t?: number): number => {
    if (t === undefined) return Math.floor(ctx.now() / 1000);
    return t > 1e11 ? Math.floor(t / 1000) : Math.floor(t);
  };
  const baseOf = (p: CustomerBase, n: SimNumber): InboundBase => ({
    from: digits(p.from),
    id: newWamid(p.from, 'in'),
    timestamp: tsOf(p.timestamp),
    context: p.replyToWamid ? { from: digits(n.displayPhoneNumber), id: p.replyToWamid } : undefined,
  });

  async function inject(p: CustomerBase, n: SimNumber, message: Json, b: InboundBase): Promise<SendResult> {
    const waId = digits(p.from);
    const profile = ctx.store.profile(waId);
    if (p.name) profile.name = p.name;
    const type = String(message.type);
    ctx.store.recordInbound(
      { wamid: b.id, phoneNumberId: n.phoneNumberId, from: waId, type, timestamp: b.timestamp, message, readByBusiness: false },
      opensWindow(type),
    );
    const payload = inboundPayload(n, { name: profile.name ?? 'WhatsApp User', waId }, message);
    const { status } = await ctx.scheduler.track(ctx.sender.deliver(payload));
    return { wamid: b.id, status };
  }

  return {
    sendText(p) {
      const n = numberOf(p.to);
      const b = { ...baseOf(p, n), referral: p.referral };
      return inject(p, n, textMessage(b, p.text), b);
    },
    async sendMedia(p) {
      const n = numberOf(p.to);
      const b = baseOf(p, n);
      const m = storeMedia(ctx, { wabaId: n.wabaId, phoneNumberId: n.phoneNumberId, bytes: p.bytes, mimeType: p.mimeType, filename: p.filename, origin: 'inbound' });
      const base = ctx.baseUrl();
      const message = mediaMessage(b, p.kind, {
        id: m.id,
        mimeType: p.mimeType,
        sha256Base64: m.sha256Base64,
        caption: p.caption,
        filename: p.filename,
        url: base ? mediaUrl(base, ctx.cfg.appSecret, m, ctx.now()) : undefined,
        voice: p.voice ?? (p.kind === 'audio' && p.mimeType.includes('opus')),
        animated: p.animated,
      });
      const r = await inject(p, n, message, b);
      return { ...r, mediaId: m.id };
    },
    sendLocation(p) {
      const n = numberOf(p.to);
      const b = baseOf(p, n);
      return inject(p, n, locationMessage(b, p), b);
    },
    sendContacts(p) {
      const n = numberOf(p.to);
      const b = baseOf(p, n);
      return inject(p, n, contactsMessage(b, p.contacts), b);
    },
    sendReaction(p) {
      const n = numberOf(p.to);
      const b = baseOf({ ...p, replyToWamid: undefined }, n);
      return inject(p, n, reactionMessage(b, p.messageId, p.emoji), b);
    },
    tapButton(p) {
      const n = numberOf(p.to);
      const b = baseOf(p, n);
      return inject(p, n, buttonReplyMessage(b, p.buttonId, p.title), b);
    },
    async tapListItem(p) {
      const n = numberOf(p.to);
      const b = baseOf(p, n);
      const row = listRow(ctx, p.replyToWamid, p.rowId);
      return inject(p, n, listReplyMessage(b, p.rowId, p.title ?? row?.title ?? p.rowId, p.description ?? row?.description), b);
    },
    tapTemplateButton(p) {
      const n = numberOf(p.to);
      const b = baseOf(p, n);
      return inject(p, n, templateButtonMessage(b, p.payload, p.text), b);
    },
    sendUnsupported(p) {
      const n = numberOf(p.to);
      const b = baseOf(p, n);
      return inject(p, n, unsupportedMessage(b, p.unsupportedType), b);
    },
    async sendRaw(payload) {
      ingestRaw(ctx, payload);
      return ctx.scheduler.track(ctx.sender.deliver(payload));
    },
    read: (wamid) => ctx.lifecycle.read(wamid),
    deliver: (wamid) => ctx.lifecycle.deliver(wamid),
    inbox(waId) {
      const w = digits(waId);
      return [...ctx.store.messages.values()].filter((m) => m.waId === w).sort((a, b) => a.createdAt - b.createdAt);
    },
    setProfile(waId, profile) {
      Object.assign(ctx.store.profile(digits(waId)), profile);
    },
  };
}

/** The row of a list message the business sent; throws for a row that list does not have. */
function listRow(ctx: SimContext, wamid: string, rowId: string): { title: string; description?: string } | undefined {
  const sent = ctx.store.messages.get(wamid);
  const it = (sent?.request as Json | undefined)?.interactive as Json | undefined;
  if (!sent || it?.type !== 'list') return undefined; // a raw or older message: trust the caller
  const sections = ((it.action as Json | undefined)?.sections ?? []) as Array<{ rows?: Array<{ id: string; title: string; description?: string }> }>;
  const row = sections.flatMap((s) => s.rows ?? []).find((r) => r.id === rowId);
  if (!row) throw new Error(`meta simulator: list message ${wamid} has no row ${rowId}`);
  return row;
}

/** Reactions don't (knowingly) open the customer service window; every other user message does. */
function opensWindow(type: string): boolean {
  return type !== 'reaction';
}

/** Records the inbound messages of a raw `messages` payload, so replies to them behave as in real life. */
function ingestRaw(ctx: SimContext, payload: object): void {
  const entries = (payload as { entry?: unknown }).entry;
  if (!Array.isArray(entries)) return;
  for (const e of entries as Array<{ changes?: Array<{ field?: string; value?: Json }> }>) {
    for (const c of e.changes ?? []) {
      const v = c.value;
      if (c.field !== 'messages' || !v) continue;
      const pnid = (v.metadata as Json | undefined)?.phone_number_id;
      const messages = Array.isArray(v.messages) ? (v.messages as Json[]) : [];
      for (const m of messages) {
        if (typeof m.id !== 'string' || typeof m.from !== 'string' || typeof pnid !== 'string') continue;
        const type = String(m.type);
        ctx.store.recordInbound(
          { wamid: m.id, phoneNumberId: pnid, from: m.from, type, timestamp: Number(m.timestamp), message: m, readByBusiness: false },
          opensWindow(type),
        );
      }
    }
  }
}
