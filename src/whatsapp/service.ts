import type { Router } from 'express';
import type { PoolClient } from 'pg';
import { createHmac } from 'node:crypto';
import type { AppContext, Domain } from '../app-context.js';
import type { Queryable } from '../db/database.js';
import { notFound } from '../errors.js';
import { LocalDiskStorage, MediaUrlSigner, storedMediaKeys, type MediaKind, type MediaStorage } from '../media/index.js';
import type { AdminCheck, ChannelErasure, ErasureSubject, MediaFiles, MediaLinks, MediaRef, MessageSender, SendOptions, StagedSend } from '../seams.js';
import type { ContactRow } from '../contacts/contacts-repo.js';
import { eraseTraces, pendingWebhooks } from './erasure.js';
import { resolveEncryptionKey } from '../security/encryption.js';
import { syncTemplates, type SyncResult } from '../templates/index.js';
import { GraphClient, MetaApiError } from './graph.js';
import { MEDIA_QUEUE, processWebhookBatch, processWebhookEvent, TEMPLATE_SYNC_QUEUE, WEBHOOK_QUEUE } from './ingest.js';
import { listDeadEvents, replayDeadEvent } from './dead-events.js';
import { reconcileSends, sweepWebhookEvents } from './recovery.js';
import { SharedRateLimiter } from '../limits/index.js';
import { SharedThroughputLimiter } from './limiter.js';
import { downloadInboundMedia, MEDIA_DOWNLOAD_ATTEMPTS, mediaForMessage, uploadOutboundMedia, type MediaDeps, type UploadedMedia } from './media.js';
import { reasonFor } from './meta-errors.js';
import { flagNeedsToken, numberForWaba } from './numbers.js';
import { registerApiRoutes } from './routes.js';
import { SEND_RETRY_QUEUE, Sender } from './sender.js';
import type { MessageRow, OutboundRequest } from './types.js';
import { registerWebhookRoutes } from './webhook.js';
import { WEBHOOK_WAKE_QUEUE, WebhookDrains } from './drain.js';

export interface WhatsAppOptions {
  storage?: MediaStorage;
  /** In-request retries of a throughput (130429) or transient error before deferring to a job. */
  inlineRetryDelaysMs?: number[];
  graphTimeoutMs?: number;
}

export interface WhatsAppDeps {
  /** Who may connect numbers (the settings domain). */
  admins: AdminCheck;
}

/** A timeline note is permanent, so its attachment link lives long (the media route checks the signature). */
const TIMELINE_LINK_TTL_SECONDS = 90 * 86_400;

/**
 * The WhatsApp channel (Meta Cloud API): webhooks in, sends out, media, numbers, templates.
 * Implements the MessageSender, MediaLinks, MediaFiles and ChannelErasure seams (src/seams.ts).
 */
export class WhatsAppService implements Domain, MessageSender, MediaLinks, MediaFiles, ChannelErasure {
  readonly name = 'whatsapp';
  readonly graph: GraphClient;
  readonly storage: MediaStorage;
  readonly sender: Sender;
  private readonly media: MediaDeps;

  constructor(
    private readonly ctx: AppContext,
    private readonly deps: WhatsAppDeps,
    opts: WhatsAppOptions = {},
  ) {
    this.graph = new GraphClient(ctx.config.whatsapp, { timeoutMs: opts.graphTimeoutMs });
    this.storage = opts.storage ?? new LocalDiskStorage(ctx.config.dataDir);
    const key = createHmac('sha256', Buffer.from(resolveEncryptionKey(ctx.config.encryptionKey, ctx.config.dataDir), 'base64'))
      .update('media-url-signing')
      .digest();
    this.media = { ctx, graph: this.graph, storage: this.storage, signer: new MediaUrlSigner(key) };
    this.sender = new Sender({
      ctx,
      graph: this.graph,
      limiter: new SharedThroughputLimiter(new SharedRateLimiter(ctx.db.pool)),
      inlineRetryDelaysMs: opts.inlineRetryDelaysMs ?? [300, 900],
      syncTemplates: (wabaId) => this.syncTemplates(wabaId),
    });
  }

  send(req: OutboundRequest, opts?: SendOptions): Promise<MessageRow> {
    return this.sender.send(req, opts);
  }

  stage(c: PoolClient, req: OutboundRequest, contact: ContactRow): Promise<StagedSend | undefined> {
    return this.sender.stage(c, req, contact);
  }

  markRead(portalId: number, phoneNumberId: string, wamid: string): Promise<void> {
    return this.sender.markRead(portalId, phoneNumberId, wamid);
  }

  async mediaOf(_q: Queryable, messageId: number): Promise<MediaRef | null> {
    const m = await mediaForMessage(this.media, messageId);
    return m && m.state === 'stored' ? { url: m.url, mimeType: m.mimeType, filename: m.filename } : null;
  }

  async timelineLinks(messageIds: number[]): Promise<Map<number, string>> {
    const out = new Map<number, string>();
    const now = this.ctx.clock.now().getTime();
    const r = await this.ctx.db.query<{ id: number; message_id: number }>(
      `SELECT DISTINCT ON (message_id) id, message_id FROM media_objects WHERE message_id = ANY($1::bigint[]) ORDER BY message_id, id`,
      [messageIds],
    );
    for (const mo of r.rows) out.set(Number(mo.message_id), this.media.signer.url(this.ctx.config.publicBaseUrl, Number(mo.id), now, TIMELINE_LINK_TTL_SECONDS));
    return out;
  }

  /** Checks (type, size, monthly quota), stores and uploads an outbound attachment; send it with the returned mediaId. */
  uploadMedia(p: { portalId: number; contactId: number; phoneNumberId: string; bytes: Buffer; mimeType: string; filename: string; kind?: MediaKind }): Promise<UploadedMedia> {
    return uploadOutboundMedia(this.media, p);
  }

  storedMediaKeys(q: Queryable, contactIds: number[]): Promise<string[]> {
    return storedMediaKeys(q, contactIds);
  }

  eraseFile(key: string): Promise<void> {
    return this.storage.delete(key);
  }

  pendingWebhooks(q: Queryable, who: ErasureSubject): Promise<number> {
    return pendingWebhooks(q, who);
  }

  eraseTraces(q: Queryable, who: ErasureSubject): Promise<{ webhookEvents: number; statusEvents: number }> {
    return eraseTraces(q, who);
  }

  /** Re-reads a WABA's templates from Meta now. */
  async syncTemplates(wabaId: string): Promise<SyncResult> {
    const { ctx } = this;
    const n = await numberForWaba(ctx.db.pool, wabaId);
    if (!n) throw notFound(`No connected number belongs to WhatsApp Business Account ${wabaId}`);
    return syncTemplates({ db: ctx.db, logger: ctx.logger, now: () => ctx.clock.now() }, wabaId, async (id) => {
      try {
        return await this.graph.listTemplates(id, ctx.secrets.decrypt(n.access_token_enc));
      } catch (err) {
        if (err instanceof MetaApiError && reasonFor(err.code) === 'NUMBER_TOKEN_INVALID') await flagNeedsToken(ctx.db.pool, n.phone_number_id, err.message);
        throw err;
      }
    });
  }

  /** Processes a stored webhook event now (the job does this; tests and tools may call it). */
  processEvent(eventId: number) {
    return processWebhookEvent(this.ctx, eventId);
  }

  /** Quarantined webhook events and items (`npm run events -- list`). */
  deadEvents(o: { all?: boolean; limit?: number } = {}) {
    return listDeadEvents(this.ctx.db.pool, o);
  }

  /** Runs a quarantined event or item again (`npm run events -- replay <id>`). */
  replayDeadEvent(id: number) {
    return replayDeadEvent(this.ctx, id);
  }

  async defineJobs(): Promise<void> {
    const { ctx } = this;
    const webhookRetries = 8;
    await ctx.jobs.define<{ eventIds?: number[]; eventId?: number }>({
      name: WEBHOOK_QUEUE,
      concurrency: 8,
      retryLimit: webhookRetries,
      retryDelaySeconds: 2,
      // Events by id (the sweeper, events stored before drains): each in its own transaction, in
      // order; a failing one does not stop the others (already processed ones are skipped on a retry).
      handler: async ({ eventIds, eventId }, job) =>
        processWebhookBatch(ctx, eventIds ?? (eventId !== undefined ? [eventId] : []), { lastAttempt: job.retryCount >= webhookRetries }),
    });
    // A number's lanes' drains (drain.ts): one queued wake per lane; lanes and numbers drain side by side.
    const drains = new WebhookDrains(ctx);
    await ctx.jobs.define<{ numberKey: string; lane?: number }>({
      name: WEBHOOK_WAKE_QUEUE,
      policy: 'short',
      concurrency: 8,
      retryLimit: webhookRetries,
      retryDelaySeconds: 1,
      handler: async ({ numberKey, lane }, job) => drains.wake(String(numberKey), Number(lane ?? 0), { lastAttempt: job.retryCount >= webhookRetries, stopping: job.stopping }),
    });
    await ctx.jobs.define<{ mediaObjectId: number }>({
      name: MEDIA_QUEUE,
      concurrency: 2,
      retryLimit: MEDIA_DOWNLOAD_ATTEMPTS - 1,
      retryDelaySeconds: 5,
      retryDelayMaxSeconds: 120,
      handler: async ({ mediaObjectId }, job) => downloadInboundMedia(this.media, mediaObjectId, job.retryCount),
    });
    await ctx.jobs.define<{ wabaId: string }>({
      name: TEMPLATE_SYNC_QUEUE,
      concurrency: 1,
      retryLimit: 3,
      retryDelaySeconds: 30,
      handler: async ({ wabaId }) => this.syncTemplates(wabaId),
    });
    await ctx.jobs.define<{ messageId: number; attempt: number }>({
      name: SEND_RETRY_QUEUE,
      concurrency: 2,
      retryLimit: 3,
      handler: async ({ messageId, attempt }) => this.sender.retry(messageId, attempt),
    });

    // Templates: periodic full sync of every connected WABA (webhooks keep them current in between).
    ctx.scheduler.add({
      name: 'whatsapp.templates-sync',
      everyMs: 60 * 60 * 1000,
      run: async () => {
        const r = await ctx.db.query<{ waba_id: string }>(`SELECT DISTINCT waba_id FROM whatsapp_numbers WHERE token_status = 'valid'`);
        for (const { waba_id } of r.rows) await ctx.jobs.send(TEMPLATE_SYNC_QUEUE, { wabaId: waba_id }, { singletonKey: waba_id });
      },
    });
    // Raw webhook bodies are kept 30 days once processed (dedupe keys live on in messages/status
    // events), and as long as a part of them waits in quarantine.
    ctx.scheduler.add({
      name: 'whatsapp.webhook-events-purge',
      everyMs: 24 * 60 * 60 * 1000,
      run: async () => {
        await ctx.db.query(
          `DELETE FROM webhook_events e WHERE state = 'processed' AND processed_at < now() - interval '30 days'
             AND NOT EXISTS (SELECT 1 FROM webhook_quarantine q WHERE q.event_id = e.id AND q.resolved_at IS NULL)`,
        );
      },
    });
    // Recovery (src/whatsapp/recovery.ts): stored events left unprocessed, and interrupted sends.
    ctx.scheduler.add({ name: 'whatsapp.webhook-sweep', everyMs: 60_000, run: async () => void (await sweepWebhookEvents(ctx)) });
    ctx.scheduler.add({ name: 'whatsapp.send-reconcile', everyMs: 30_000, run: async () => void (await reconcileSends(ctx)) });
  }

  mountRoutes(router: Router): void {
    registerWebhookRoutes(this.ctx, router);
    registerApiRoutes(this.ctx, router, { channel: this, admins: this.deps.admins, signer: this.media.signer });
  }
}
