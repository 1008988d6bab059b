// In-memory state of the simulated Cloud API.
import type {
  CustomerProfile,
  InboundMessage,
  MediaRecord,
  OutboundMessage,
  SimNumber,
  TemplateRecord,
  WebhookLogEntry,
} from './types.js';
import { hexId } from './ids.js';

export const DAY_S = 24 * 3600;

export interface TokenInfo {
  wabaIds: Set<string>;
  revoked?: 'expired' | 'invalidated';
}

export class SimStore {
  readonly numbers = new Map<string, SimNumber>();
  readonly tokens = new Map<string, TokenInfo>();
  /** Outbound (business → customer) messages by wamid. */
  readonly messages = new Map<string, OutboundMessage>();
  /** Inbound (customer → business) messages by wamid. */
  readonly inbound = new Map<string, InboundMessage>();
  readonly templates = new Map<string, TemplateRecord>();
  readonly media = new Map<string, MediaRecord>();
  readonly profiles = new Map<string, CustomerProfile>();
  readonly subscribedApps = new Map<string, Array<{ id: string; name: string; link: string; override_callback_uri?: string }>>();
  /** `${wabaId}:${name}:${language}` → deletion time (ms); the name+language is blocked for 30 days. */
  readonly deletedTemplates = new Map<string, number>();
  readonly webhooks: WebhookLogEntry[] = [];
  /** Resumable Upload API sessions (`upload:…` id → declared file) and the `4::…` handles they produced. */
  readonly uploadSessions = new Map<string, { fileName: string; fileLength: number; fileType: string; token: string }>();
  readonly uploadHandles = new Map<string, { fileType: string; bytes: number }>();
  /** `${phoneNumberId}:${waId}` → unix seconds of the customer's last message. */
  private readonly lastInbound = new Map<string, number>();
  private readonly conversations = new Map<string, { id: string; expiresAt: number }>();
  private readonly sendTimes = new Map<string, number[]>();
  /** 130429 answers per phone_number_id (sends over the number's messages per second). */
  readonly throughputRejections = new Map<string, number>();

  addNumber(n: SimNumber): void {
    this.numbers.set(n.phoneNumberId, { ...n });
    const t = this.tokens.get(n.accessToken) ?? { wabaIds: new Set<string>() };
    t.wabaIds.add(n.wabaId);
    this.tokens.set(n.accessToken, t);
  }

  wabaIds(): Set<string> {
    return new Set([...this.numbers.values()].map((n) => n.wabaId));
  }

  numbersOfWaba(wabaId: string): SimNumber[] {
    return [...this.numbers.values()].filter((n) => n.wabaId === wabaId);
  }

  // ---- the customer service window ----

  recordInbound(m: InboundMessage, opensWindow: boolean): void {
    this.inbound.set(m.wamid, m);
    if (opensWindow) this.openWindow(m.phoneNumberId, m.from, m.timestamp);
  }

  /** A customer message at `timestampSec` opens (or extends) the 24-hour window on the number. */
  openWindow(phoneNumberId: string, waId: string, timestampSec: number): void {
    const key = `${phoneNumberId}:${waId}`;
    const prev = this.lastInbound.get(key) ?? 0;
    if (timestampSec > prev) this.lastInbound.set(key, timestampSec);
  }

  lastInboundAt(phoneNumberId: string, waId: string): number | undefined {
    return this.lastInbound.get(`${phoneNumberId}:${waId}`);
  }

  windowOpen(phoneNumberId: string, waId: string, nowSec: number): boolean {
    const last = this.lastInboundAt(phoneNumberId, waId);
    return last !== undefined && nowSec < last + DAY_S;
  }

  // ---- pricing conversations (pre-v24 `conversation` object) ----

  conversationFor(phoneNumberId: string, waId: string, category: string, nowSec: number): { id: string; expiresAt: number } {
    const key = `${phoneNumberId}:${waId}:${category}`;
    const c = this.conversations.get(key);
    if (c && c.expiresAt > nowSec) return c;
    const fresh = { id: hexId(16), expiresAt: nowSec + DAY_S };
    this.conversations.set(key, fresh);
    return fresh;
  }

  // ---- throughput ----

  /** Whether fewer than `max` sends were recorded for `key` within the last `windowMs`. */
  underRate(key: string, nowMs: number, max: number, windowMs: number): boolean {
    const times = (this.sendTimes.get(key) ?? []).filter((t) => t > nowMs - windowMs);
    this.sendTimes.set(key, times);
    return times.length < max;
  }

  recordRate(key: string, nowMs: number): void {
    const times = this.sendTimes.get(key) ?? [];
    times.push(nowMs);
    this.sendTimes.set(key, times);
  }

  // ---- templates ----

  findTemplate(wabaId: string, name: string, language: string): TemplateRecord | undefined {
    for (const t of this.templates.values()) {
      if (t.wabaId === wabaId && t.name === name && t.language === language) return t;
    }
    return undefined;
  }

  templatesOfWaba(wabaId: string): TemplateRecord[] {
    return [...this.templates.values()].filter((t) => t.wabaId === wabaId);
  }

  profile(waId: string): CustomerProfile {
    let p = this.profiles.get(waId);
    if (!p) {
      p = {};
      this.profiles.set(waId, p);
    }
    return p;
  }
}
