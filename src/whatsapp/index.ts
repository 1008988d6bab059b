import type { Request, Response, Router } from 'express';
import { createHmac } from 'node:crypto';
import type { AppContext, DomainModule } from '../app-context.js';
import type { Queryable } from '../db/database.js';
import { AppError, forbidden, notFound, validation } from '../http/errors.js';
import { callerOf, requireHubSpotSignature } from '../http/signed-request.js';
import { LocalDiskStorage, MediaUrlSigner, getMediaObject, mediaOfMessage, storedMediaKeys, type MediaKind, type MediaStorage } from '../media/index.js';
import { resolveEncryptionKey } from '../security/encryption.js';
import { listAllTemplates, listApprovedTemplates, syncTemplates, templateJson, type SyncResult } from '../templates/index.js';
import { connectNumber } from './connect.js';
import { GraphClient, MetaApiError } from './graph.js';
import { MEDIA_QUEUE, processWebhookEvent, TEMPLATE_SYNC_QUEUE, WEBHOOK_QUEUE } from './ingest.js';
import { ThroughputLimiter } from './limiter.js';
import { downloadInboundMedia, MEDIA_DOWNLOAD_ATTEMPTS, mediaForMessage, uploadOutboundMedia, type MediaDeps, type UploadedMedia } from './media.js';
import { reasonFor } from './meta-errors.js';
import { flagNeedsToken, numberForWaba, numberJson, portalNumber, portalNumbers } from './numbers.js';
import { SEND_RETRY_QUEUE, Sender } from './sender.js';
import type { MessageRow, OutboundRequest, WhatsAppSender } from './types.js';
import { registerWebhookRoutes } from './webhook.js';

export type { MessageRow, OutboundContent, OutboundRequest, WhatsAppSender } from './types.js';
export { isValidMetaSignature } from './signature.js';
export { parseWebhook } from './parse.js';

/** Everything the WhatsApp channel offers other domains (`ctx.services.whatsappSender`). */
export interface WhatsAppChannel extends WhatsAppSender {
  /** Short-lived signed URL to a message's stored attachment (inbound downloads, outbound uploads). */
  mediaOf(q: Queryable, messageId: number): Promise<{ url: string; mimeType: string; filename: string | null } | null>;
  /** Checks (type, size, monthly quota), stores and uploads an outbound attachment; send it with the returned mediaId. */
  uploadMedia(p: { portalId: number; contactId: number; phoneNumberId: string; bytes: Buffer; mimeType: string; filename: string; kind?: MediaKind }): Promise<UploadedMedia>;
  /** Storage keys of the files held for these contacts' media (to erase them with the contacts). */
  storedMediaKeys(q: Queryable, contactIds: number[]): Promise<string[]>;
  /** Re-reads a WABA's templates from Meta now. */
  syncTemplates(wabaId: string): Promise<SyncResult>;
  /** Processes a stored webhook event now (the job does this; tests and tools may call it). */
  processEvent(eventId: number): Promise<unknown>;
  readonly graph: GraphClient;
  readonly storage: MediaStorage;
}

export interface WhatsAppModuleOptions {
  storage?: MediaStorage;
  /** In-request retries of a throughput (130429) or transient error before deferring to a job. */
  inlineRetryDelaysMs?: number[];
  graphTimeoutMs?: number;
}

const SERVICE = 'whatsappSender';

/** The WhatsApp sender and channel services (docs/seams.md §3). */
export function whatsappSender(ctx: AppContext): WhatsAppChannel {
  const s = ctx.services[SERVICE] as WhatsAppChannel | undefined;
  if (!s) throw new Error('the whatsapp module is not registered');
  return s;
}

function createChannel(ctx: AppContext, opts: WhatsAppModuleOptions): WhatsAppChannel {
  const graph = new GraphClient(ctx.config.whatsapp, { timeoutMs: opts.graphTimeoutMs });
  const storage = opts.storage ?? new LocalDiskStorage(ctx.config.dataDir);
  const key = createHmac('sha256', Buffer.from(resolveEncryptionKey(ctx.config.encryptionKey, ctx.config.dataDir), 'base64'))
    .update('media-url-signing')
    .digest();
  const signer = new MediaUrlSigner(key);
  const mediaDeps: MediaDeps = { ctx, graph, storage, signer };

  const sync = async (wabaId: string): Promise<SyncResult> => {
    const n = await numberForWaba(ctx.db.pool, wabaId);
    if (!n) throw notFound(`No connected number belongs to WhatsApp Business Account ${wabaId}`);
    return syncTemplates({ db: ctx.db, logger: ctx.logger, now: () => ctx.clock.now() }, wabaId, async (id) => {
      try {
        return await graph.listTemplates(id, ctx.secrets.decrypt(n.access_token_enc));
      } catch (err) {
        if (err instanceof MetaApiError && reasonFor(err.code) === 'NUMBER_TOKEN_INVALID') await flagNeedsToken(ctx.db.pool, n.phone_number_id, err.message);
        throw err;
      }
    });
  };

  const sender = new Sender({
    ctx,
    graph,
    limiter: new ThroughputLimiter(),
    inlineRetryDelaysMs: opts.inlineRetryDelaysMs ?? [300, 900],
    syncTemplates: sync,
  });

  return {
    graph,
    storage,
    send: (req: OutboundRequest): Promise<MessageRow> => sender.send(req),
    markRead: (portalId, phoneNumberId, wamid) => sender.markRead(portalId, phoneNumberId, wamid),
    mediaOf: async (_q, messageId) => {
      const m = await mediaForMessage(mediaDeps, messageId);
      return m && m.state === 'stored' ? { url: m.url, mimeType: m.mimeType, filename: m.filename } : null;
    },
    uploadMedia: (p) => uploadOutboundMedia(mediaDeps, p),
    storedMediaKeys: (q, contactIds) => storedMediaKeys(q, contactIds),
    syncTemplates: sync,
    processEvent: (eventId) => processWebhookEvent(ctx, eventId),
    // internal, for the module's jobs
    ...({ sender, mediaDeps } as object),
  } as WhatsAppChannel;
}

async function isAdmin(ctx: AppContext, portalId: number, userId: number): Promise<boolean> {
  const settings = ctx.services.settings as { isAdmin?: (p: number, u: number) => Promise<boolean> } | undefined;
  if (typeof settings?.isAdmin === 'function') return settings.isAdmin(portalId, userId);
  const r = await ctx.db.query<{ installed_by_user_id: number | null }>('SELECT installed_by_user_id FROM portals WHERE id = $1', [portalId]);
  const installer = r.rows[0]?.installed_by_user_id ?? null;
  return installer === null || installer === userId;
}

function registerApiRoutes(ctx: AppContext, router: Router, channel: WhatsAppChannel, mediaDeps: MediaDeps): void {
  const signed = requireHubSpotSignature(ctx);
  const graph = channel.graph;

  router.get('/api/v1/whatsapp-numbers', signed, async (req: Request, res: Response) => {
    const { portalId } = callerOf(req);
    res.json({ numbers: (await portalNumbers(ctx.db.pool, portalId)).map(numberJson) });
  });

  router.post('/api/v1/whatsapp-numbers', signed, async (req: Request, res: Response) => {
    const { portalId, userId } = callerOf(req);
    if (!(await isAdmin(ctx, portalId, userId))) throw forbidden('Only an admin of the app can connect WhatsApp numbers');
    const { created, number } = await connectNumber(ctx, graph, portalId, req.body);
    res.status(created ? 201 : 200).json({ number: numberJson(number) });
  });

  const numberParam = async (req: Request) => {
    const { portalId } = callerOf(req);
    const phoneNumberId = req.query.phoneNumberId;
    if (typeof phoneNumberId !== 'string' || !phoneNumberId) throw validation('phoneNumberId: is required', { phoneNumberId: 'is required' });
    const n = await portalNumber(ctx.db.pool, portalId, phoneNumberId);
    if (!n) throw notFound(`WhatsApp number ${phoneNumberId} is not connected to this portal`);
    return n;
  };

  router.get('/api/v1/templates', signed, async (req: Request, res: Response) => {
    const n = await numberParam(req);
    // status=all (templates page): also pending, rejected with Meta's reason, paused (issue 15).
    const list = req.query.status === 'all' ? listAllTemplates : listApprovedTemplates;
    res.json({ templates: (await list(ctx.db.pool, n.waba_id)).map(templateJson) });
  });

  router.post('/api/v1/templates/sync', signed, async (req: Request, res: Response) => {
    const n = await numberParam(req);
    try {
      const result = await channel.syncTemplates(n.waba_id);
      res.json({ sync: result, templates: (await listApprovedTemplates(ctx.db.pool, n.waba_id)).map(templateJson) });
    } catch (err) {
      if (err instanceof MetaApiError) {
        const reason = reasonFor(err.code);
        throw new AppError(reason === 'NUMBER_TOKEN_INVALID' ? 409 : 502, reason, `Templates could not be read from Meta: ${err.message}`);
      }
      throw err;
    }
  });

  // Attachments behind short-lived signed URLs (the card's <img>/<a> cannot send our headers).
  router.get('/media/:id', async (req: Request, res: Response) => {
    const id = Number(req.params.id);
    if (!Number.isSafeInteger(id) || !mediaDeps.signer.verify(id, req.query.exp, req.query.sig, ctx.clock.now().getTime())) {
      throw new AppError(403, 'FORBIDDEN', 'This media link is invalid or has expired');
    }
    const mo = await getMediaObject(ctx.db.pool, id);
    const bytes = mo?.storage_key ? await mediaDeps.storage.get(mo.storage_key) : undefined;
    if (!mo || !bytes) throw notFound('Media not found');
    res.setHeader('Content-Type', mo.mime_type ?? 'application/octet-stream');
    res.setHeader('Cache-Control', 'private, max-age=900');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    if (mo.filename) res.setHeader('Content-Disposition', `inline; filename="${mo.filename.replace(/["\\\r\n]/g, '_')}"`);
    res.end(bytes);
  });
}

export function createWhatsAppModule(opts: WhatsAppModuleOptions = {}): DomainModule {
  return {
    name: 'whatsapp',
    async register(ctx, router) {
      const channel = createChannel(ctx, opts);
      const { sender, mediaDeps } = channel as unknown as { sender: Sender; mediaDeps: MediaDeps };
      ctx.services[SERVICE] = channel;

      await ctx.jobs.define<{ eventIds?: number[]; eventId?: number }>({
        name: WEBHOOK_QUEUE,
        concurrency: 4,
        retryLimit: 8,
        retryDelaySeconds: 2,
        // One job per stored batch; each event is processed in its own transaction, in order
        // (already processed ones are skipped, so a retried job does not redo them).
        handler: async ({ eventIds, eventId }) => {
          for (const id of eventIds ?? (eventId !== undefined ? [eventId] : [])) await processWebhookEvent(ctx, id);
        },
      });
      await ctx.jobs.define<{ mediaObjectId: number }>({
        name: MEDIA_QUEUE,
        concurrency: 2,
        retryLimit: MEDIA_DOWNLOAD_ATTEMPTS - 1,
        retryDelaySeconds: 5,
        retryDelayMaxSeconds: 120,
        handler: async ({ mediaObjectId }, job) => downloadInboundMedia(mediaDeps, mediaObjectId, job.retryCount),
      });
      await ctx.jobs.define<{ wabaId: string }>({
        name: TEMPLATE_SYNC_QUEUE,
        concurrency: 1,
        retryLimit: 3,
        retryDelaySeconds: 30,
        handler: async ({ wabaId }) => channel.syncTemplates(wabaId),
      });
      await ctx.jobs.define<{ messageId: number; attempt: number }>({
        name: SEND_RETRY_QUEUE,
        concurrency: 2,
        retryLimit: 3,
        handler: async ({ messageId, attempt }) => sender.retry(messageId, attempt),
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
      // Raw webhook bodies are kept 30 days once processed (dedupe keys live on in messages/status events).
      ctx.scheduler.add({
        name: 'whatsapp.webhook-events-purge',
        everyMs: 24 * 60 * 60 * 1000,
        run: async () => {
          await ctx.db.query(`DELETE FROM webhook_events WHERE state = 'processed' AND processed_at < now() - interval '30 days'`);
        },
      });

      registerWebhookRoutes(ctx, router);
      registerApiRoutes(ctx, router, channel, mediaDeps);
    },
  };
}

export const whatsappModule: DomainModule = createWhatsAppModule();
