// A faithful simulator of Meta's WhatsApp Cloud API (Graph API + signed webhooks + a simulated customer phone).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { SimConfig, SimContext } from './context.js';
import { createCustomer, type Customer } from './customer.js';
import { errors, GraphError, sendGraphError } from './errors.js';
import { Lifecycle } from './lifecycle.js';
import { ATTACHMENTS_PATH } from './media.js';
import { qualityUpdatePayload, templateStatusPayload, valueErrorsPayload } from './payloads.js';
import { customerRouter } from './routes-customer.js';
import { downloadHandler, mediaRouter } from './routes-media.js';
import { messagesRouter } from './routes-messages.js';
import { objectsRouter } from './routes-objects.js';
import { newTemplateRecord, templatesRouter } from './routes-templates.js';
import { Scheduler } from './scheduler.js';
import { uploadsRouter } from './routes-uploads.js';
import { SimStore } from './store.js';
import { reviewOutcome } from './template-create.js';
import type {
  MetaErrorObject,
  MetaSimulatorOptions,
  RequestLogEntry,
  SeedTemplateInput,
  SimNumber,
  TemplateRecord,
  TemplateStatus,
} from './types.js';
import { WebhookSender } from './webhooks.js';

export type * from './types.js';
export type { Customer, CustomerBase, SendResult } from './customer.js';
export type { ContactCard, LocationInput, MediaKind } from './payloads.js';
export * as payloads from './payloads.js';
export { metaJson, signSha256 } from './signing.js';
/** Meta's asynchronous error objects (as found in `statuses[].errors` and value-level `errors`). */
export { statusErrors as metaErrors } from './errors.js';
export { throughputReport, type ThroughputReport } from './throughput.js';

export interface MetaSimulator {
  /** The Graph API (/vNN.N/...), the media download route and the customer API (/_sim/...). */
  app: express.Express;
  /** Listens on `port` (default 0 = random) and `host` (default 127.0.0.1). */
  listen(port?: number, host?: string): Promise<{ url: string; close(): Promise<void> }>;
  /** The listen() URL once listening. */
  readonly url: string | undefined;
  setWebhookUrl(url: string): void;
  /**
   * A customer message that reached the app by another path (a load generator signing its own
   * webhooks) opens the 24-hour window here too, as it would at Meta; otherwise every free-form
   * reply to it fails with 131047.
   */
  openWindow(phoneNumberId: string, waId: string, timestampSec: number): void;
  addNumber(n: SimNumber): void;
  /** The customer's phone. */
  customer: Customer;
  /** Inspectable state (live maps). */
  state: {
    numbers: Map<string, SimNumber>;
    messages: SimStore['messages'];
    inbound: SimStore['inbound'];
    templates: SimStore['templates'];
    media: SimStore['media'];
    webhooks: SimStore['webhooks'];
    subscribedApps: SimStore['subscribedApps'];
    throughputRejections: SimStore['throughputRejections'];
  };
  /** Every HTTP request the simulator served. */
  requests: RequestLogEntry[];
  /** Serializes like Meta, signs and POSTs to the webhook URL (retrying on non-200). */
  deliverWebhook(payload: object): Promise<{ status: number }>;
  /**
   * Meta's subscription handshake: GET <webhookUrl>?hub.mode=subscribe&hub.challenge=…&hub.verify_token=…;
   * `ok` when the app answered 200 with exactly the challenge.
   */
  verifyWebhook(verifyToken: string): Promise<{ ok: boolean; status: number; body: string; challenge: string }>;
  /** Adds (or replaces, same WABA + name + language) a template without review or webhook. Default APPROVED. */
  seedTemplate(t: SeedTemplateInput): TemplateRecord;
  /** Changes a template's status and sends the `message_template_status_update` webhook (PAUSED, DISABLED …). */
  setTemplateStatus(
    templateId: string,
    event: TemplateStatus,
    extra?: { reason?: string | null; rejectionInfo?: { reason: string; recommendation: string }; otherInfo?: { title: string; description: string } },
  ): Promise<{ status: number }>;
  /** Sends a `phone_number_quality_update` webhook (fixture 20). */
  emitQualityUpdate(phoneNumberId: string, p: { event: string; currentLimit?: string; oldLimit?: string }): Promise<{ status: number }>;
  /** Sends value-level `errors[]` with no message (fixture 14), e.g. a 130429 for the number. */
  emitValueErrors(phoneNumberId: string, errs: MetaErrorObject[]): Promise<{ status: number }>;
  /** Makes a token fail with 190 (subcode 463 expired / 460 invalidated). */
  revokeToken(token: string, reason?: 'expired' | 'invalidated'): void;
  /** Resolves when every scheduled status, review and webhook delivery has finished. */
  idle(timeoutMs?: number): Promise<void>;
  /** Cancels every pending timer (call in test teardown). */
  stop(): void;
}

const HELLO_WORLD = [
  { type: 'HEADER', format: 'TEXT', text: 'Hello World' },
  {
    type: 'BODY',
    text: 'Welcome and congratulations!! This message demonstrates your ability to send a message notification from WhatsApp Business Platform\u2019s Cloud API. Thank you for taking the time to test with us.',
  },
  { type: 'FOOTER', text: 'WhatsApp Business API Team' },
];

export function createMetaSimulator(opts: MetaSimulatorOptions): MetaSimulator {
  const now = opts.now ?? Date.now;
  const cfg: SimConfig = {
    appSecret: opts.appSecret,
    apiVersion: opts.apiVersion ?? 'v24.0',
    statusDelayMs: opts.statusDelayMs ?? 20,
    templateReviewMs: opts.templateReviewMs ?? 0,
    throughputMps: opts.throughputMps ?? 80,
    pairRateLimit: opts.pairRateLimit ?? { max: 45, windowMs: 6000 },
    templateLimit: opts.templateLimit ?? 250,
  };
  let webhookUrl = opts.webhookUrl;
  let listenUrl: string | undefined;
  const store = new SimStore();
  const scheduler = new Scheduler();
  const sender = new WebhookSender({
    appSecret: cfg.appSecret,
    getUrl: () => webhookUrl,
    retries: opts.webhookRetries ?? 3,
    retryBaseMs: opts.webhookRetryBaseMs ?? 50,
    now,
    log: store.webhooks,
    sleep: (ms) => scheduler.sleep(ms),
  });
  const lifecycle = new Lifecycle({
    store,
    scheduler,
    sender,
    now,
    statusDelayMs: cfg.statusDelayMs,
    autoDeliver: opts.autoDeliver ?? true,
    autoRead: opts.autoRead ?? false,
    webhookMajor: Number(/^v(\d+)/.exec(cfg.apiVersion)?.[1] ?? 24),
  });

  const emitTemplateStatus = (t: TemplateRecord, event: string, extra: Parameters<MetaSimulator['setTemplateStatus']>[2] = {}): Promise<{ status: number }> =>
    scheduler.track(
      sender.deliver(
        templateStatusPayload(t.wabaId, Math.floor(now() / 1000), {
          event,
          templateId: t.id,
          name: t.name,
          language: t.language,
          category: t.category,
          reason: extra.reason,
          rejectionInfo: extra.rejectionInfo,
          otherInfo: extra.otherInfo,
        }),
      ),
    );

  const ctx: SimContext = {
    cfg,
    store,
    scheduler,
    sender,
    lifecycle,
    now,
    baseUrl: (req?: Request) => opts.publicUrl ?? listenUrl ?? (req ? `${req.protocol}://${req.get('host') ?? 'localhost'}` : undefined),
    review(t) {
      scheduler.run(async () => {
        await scheduler.sleep(cfg.templateReviewMs);
        if (t.status !== 'PENDING' || store.templates.get(t.id) !== t) return;
        const outcome = reviewOutcome(t);
        t.updatedAt = now();
        if (outcome.approved) {
          t.status = 'APPROVED';
          t.rejectedReason = 'NONE';
          await emitTemplateStatus(t, 'APPROVED', { reason: 'NONE' });
        } else {
          t.status = 'REJECTED';
          t.rejectedReason = outcome.reason;
          await emitTemplateStatus(t, 'REJECTED', { reason: outcome.reason, rejectionInfo: outcome.rejectionInfo });
        }
      });
    },
  };
  const customer = createCustomer(ctx);

  function seedTemplate(s: SeedTemplateInput): TemplateRecord {
    const existing = store.findTemplate(s.wabaId, s.name, s.language);
    if (existing) store.templates.delete(existing.id);
    const t = newTemplateRecord(ctx, {
      id: s.id ?? existing?.id,
      wabaId: s.wabaId,
      name: s.name,
      language: s.language,
      category: s.category ?? 'UTILITY',
      status: s.status ?? 'APPROVED',
      parameterFormat: s.parameterFormat ?? 'POSITIONAL',
      components: s.components.map((c) => ({ ...c, type: String(c.type).toUpperCase() })),
    });
    store.templates.set(t.id, t);
    return t;
  }

  function addNumber(n: SimNumber): void {
    store.addNumber(n);
    if ((opts.seedHelloWorld ?? true) && !store.findTemplate(n.wabaId, 'hello_world', 'en_US')) {
      seedTemplate({ wabaId: n.wabaId, name: 'hello_world', language: 'en_US', category: 'MARKETING', components: HELLO_WORLD });
    }
  }
  for (const n of opts.numbers ?? []) addNumber(n);

  // ---- HTTP ----
  const requests: RequestLogEntry[] = [];
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use((req: Request, res: Response, next: NextFunction) => {
    const entry: RequestLogEntry = { method: req.method, path: req.path, query: { ...req.query }, body: undefined, at: now() };
    requests.push(entry);
    res.on('finish', () => {
      entry.status = res.statusCode;
      entry.body = req.body;
    });
    next();
  });
  app.get(ATTACHMENTS_PATH, downloadHandler(ctx));
  app.use(express.json({ limit: '5mb', type: ['application/json', 'application/*+json'] }));
  app.use(express.urlencoded({ extended: true, limit: '5mb' }));
  app.use('/_sim', customerRouter(ctx, customer));

  const graph = Router({ mergeParams: true });
  graph.use((req: Request, _res: Response, next: NextFunction) => {
    if (/^v\d+\.\d+$/.test(String((req.params as Record<string, string>).version))) next();
    else next('router');
  });
  graph.use(messagesRouter(ctx));
  graph.use(mediaRouter(ctx));
  graph.use(templatesRouter(ctx));
  graph.use(uploadsRouter(ctx));
  graph.use(objectsRouter(ctx));
  app.use('/:version', graph);

  app.use((req: Request) => {
    throw errors.unknownPath(req.path);
  });
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof GraphError) return sendGraphError(res, err);
    const e = err as { type?: string; status?: number; message?: string };
    if (e?.type === 'entity.parse.failed') {
      return sendGraphError(res, errors.paramMessage('The request body could not be parsed as JSON.'));
    }
    if (e?.type === 'entity.too.large') {
      return sendGraphError(res, errors.paramMessage('The request body is too large.'));
    }
    sendGraphError(
      res,
      new GraphError({ httpStatus: 500, code: 2, message: 'An unexpected error has occurred. Please retry your request later.', isTransient: true }),
    );
  });

  return {
    app,
    get url() {
      return listenUrl;
    },
    async listen(port = 0, host = '127.0.0.1') {
      const server = createServer(app);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve());
      });
      const addr = server.address() as AddressInfo;
      const h = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
      listenUrl = `http://${h}:${addr.port}`;
      const url = listenUrl;
      return {
        url,
        close: () =>
          new Promise<void>((resolve) => {
            server.closeAllConnections();
            server.close(() => resolve());
          }),
      };
    },
    openWindow(phoneNumberId, waId, timestampSec) {
      store.openWindow(phoneNumberId, waId, timestampSec);
    },
    setWebhookUrl(url) {
      webhookUrl = url;
    },
    addNumber,
    customer,
    state: {
      numbers: store.numbers,
      messages: store.messages,
      inbound: store.inbound,
      templates: store.templates,
      media: store.media,
      webhooks: store.webhooks,
      subscribedApps: store.subscribedApps,
      throughputRejections: store.throughputRejections,
    },
    requests,
    deliverWebhook: (payload) => scheduler.track(sender.deliver(payload)),
    async verifyWebhook(verifyToken) {
      if (!webhookUrl) throw new Error('meta simulator: no webhook URL configured');
      const challenge = String(1_000_000_000 + Math.floor(Math.random() * 999_999_999));
      const u = new URL(webhookUrl);
      u.searchParams.set('hub.mode', 'subscribe');
      u.searchParams.set('hub.challenge', challenge);
      u.searchParams.set('hub.verify_token', verifyToken);
      const res = await fetch(u, { headers: { 'user-agent': 'facebookplatform/1.0 (+http://developers.facebook.com)' } });
      const body = await res.text();
      return { ok: res.status === 200 && body === challenge, status: res.status, body, challenge };
    },
    seedTemplate,
    async setTemplateStatus(templateId, event, extra = {}) {
      const t = store.templates.get(templateId);
      if (!t) throw new Error(`meta simulator: unknown template ${templateId}`);
      t.status = event;
      t.updatedAt = now();
      if (event === 'REJECTED') t.rejectedReason = extra.reason ?? 'INVALID_FORMAT';
      return emitTemplateStatus(t, event, extra);
    },
    emitQualityUpdate(phoneNumberId, p) {
      const n = store.numbers.get(phoneNumberId);
      if (!n) throw new Error(`meta simulator: unknown phone number ${phoneNumberId}`);
      return scheduler.track(
        sender.deliver(qualityUpdatePayload(n.wabaId, Math.floor(now() / 1000), { displayPhoneNumber: n.displayPhoneNumber, ...p })),
      );
    },
    emitValueErrors(phoneNumberId, errs) {
      const n = store.numbers.get(phoneNumberId);
      if (!n) throw new Error(`meta simulator: unknown phone number ${phoneNumberId}`);
      return scheduler.track(sender.deliver(valueErrorsPayload(n, errs)));
    },
    revokeToken(token, reason = 'expired') {
      const t = store.tokens.get(token);
      if (t) t.revoked = reason;
    },
    idle: (timeoutMs) => scheduler.idle(timeoutMs),
    stop: () => scheduler.stop(),
  };
}
