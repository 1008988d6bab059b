// Outbound message lifecycle: sent → delivered → read (or failed), emitted as signed status webhooks.
import { statusPayload, type StatusInput } from './payloads.js';
import type { Scheduler } from './scheduler.js';
import type { SimStore } from './store.js';
import type { MetaErrorObject, OutboundMessage, OutboundStatus } from './types.js';
import type { WebhookSender } from './webhooks.js';

const RANK: Record<OutboundStatus, number> = { accepted: 0, sent: 1, delivered: 2, read: 3, failed: 9 };

export interface LifecycleDeps {
  store: SimStore;
  scheduler: Scheduler;
  sender: WebhookSender;
  now: () => number;
  statusDelayMs: number;
  autoDeliver: boolean;
  autoRead: boolean;
  /** Webhook version (major), e.g. 24: `conversation` is only sent before v24. */
  webhookMajor: number;
}

export class Lifecycle {
  constructor(private readonly d: LifecycleDeps) {}

  /** Starts the status sequence of a freshly accepted message. */
  start(msg: OutboundMessage, failure?: MetaErrorObject): void {
    void this.d.scheduler.lane(msg.wamid, async () => {
      await this.d.scheduler.sleep(this.d.statusDelayMs);
      if (failure) return void (await this.emit(msg, 'failed', [failure]));
      await this.emit(msg, 'sent');
      if (msg.type === 'reaction') return; // a reaction only gets `sent`
      if (!this.d.autoDeliver) return;
      await this.d.scheduler.sleep(this.d.statusDelayMs);
      await this.emit(msg, 'delivered');
      if (!this.d.autoRead) return;
      await this.d.scheduler.sleep(this.d.statusDelayMs);
      await this.emit(msg, 'read');
    });
  }

  /** The customer's phone receives the message (when autoDeliver is off). */
  deliver(wamid: string): Promise<void> {
    return this.advance(wamid, 'delivered');
  }

  /** The customer reads the message; `read` implies `delivered`, which is emitted first if missing. */
  read(wamid: string): Promise<void> {
    return this.advance(wamid, 'read');
  }

  private advance(wamid: string, target: 'delivered' | 'read'): Promise<void> {
    const msg = this.d.store.messages.get(wamid);
    if (!msg) return Promise.reject(new Error(`meta simulator: unknown business message ${wamid}`));
    return this.d.scheduler.lane(wamid, async () => {
      if (msg.status === 'failed' || msg.type === 'reaction') return;
      if (msg.status === 'accepted') await this.emit(msg, 'sent');
      if (RANK[msg.status] < RANK.delivered) {
        await this.emit(msg, 'delivered');
        if (target === 'read') await this.d.scheduler.sleep(this.d.statusDelayMs);
      }
      if (target === 'read' && RANK[msg.status] < RANK.read) await this.emit(msg, 'read');
    });
  }

  private async emit(msg: OutboundMessage, status: Exclude<OutboundStatus, 'accepted'>, errs?: MetaErrorObject[]): Promise<void> {
    const number = this.d.store.numbers.get(msg.phoneNumberId);
    if (!number || this.d.scheduler.isStopped) return;
    const nowMs = this.d.now();
    const ts = Math.floor(nowMs / 1000);
    msg.status = status;
    msg.statusHistory.push({ status, at: nowMs });
    if (errs) msg.errors = errs;
    const s: StatusInput = { id: msg.wamid, status, timestamp: ts, recipientId: msg.waId, bizOpaqueCallbackData: msg.bizOpaqueCallbackData };
    // Billing info rides on `sent` and on `delivered` (never on read or failed, never on reactions' absent later statuses).
    if ((status === 'sent' || status === 'delivered') && msg.pricing) {
      s.pricing = {
        billable: msg.pricing.billable,
        pricingModel: msg.pricing.pricing_model,
        type: msg.pricing.type,
        category: msg.pricing.category,
      };
      if (this.d.webhookMajor < 24) {
        const c = this.d.store.conversationFor(msg.phoneNumberId, msg.waId, msg.pricing.category, Math.floor(msg.createdAt / 1000));
        s.conversation = {
          id: c.id,
          expirationTimestamp: status === 'sent' ? c.expiresAt : undefined,
          originType: msg.pricing.category,
        };
      }
    }
    if (errs) s.errors = errs;
    await this.d.sender.deliver(statusPayload(number, s));
  }
}
