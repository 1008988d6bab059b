// The demo page's own small server (demo mode only): static page + a JSON API over the simulators.
// The customer phone talks to the Meta simulator's customer; the contact view reads the HubSpot
// simulator's store; the app's real extensions run in the local extension host (/extension-host).
import express, { type NextFunction, type Request, type Response } from 'express';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CrmRecord, HubSpotSimulator, Portal } from '../hubspot/index.js';
import type { MetaSimulator, OutboundMessage, TemplateRecord } from '../meta/index.js';
import type { ExtensionHost } from '../extension-host/server.js';
import type { ExtensionClient } from './extension.js';
import { DEMO_CUSTOMERS, DEMO_NUMBER, DEMO_PORTAL, fullName, type DemoCustomer } from './fixtures.js';
import type { PhoneEntry, PhoneState } from './persist.js';
import { sampleInvoicePdf, samplePhoto } from './samples.js';
import { findCrmContacts, ownerIdOf, type SetupReport } from './setup.js';

const PUBLIC_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'public');

export interface DemoServerDeps {
  meta: MetaSimulator;
  hubspot: HubSpotSimulator;
  api: ExtensionClient;
  phone: PhoneState;
  urls: { app: string; meta: string; hubspot: string };
  setup: () => SetupReport | undefined;
  /** The local extension host: the real card, settings page and app pages (simulators/extension-host). */
  extensionHost: ExtensionHost;
}

type Obj = Record<string, any>;

interface PhoneButton {
  id: string;
  title: string;
  kind: 'reply' | 'list' | 'template' | 'url';
  url?: string;
  description?: string;
}

interface PhoneMessage {
  id: string;
  direction: 'in' | 'out';
  at: number;
  type: string;
  text: string | null;
  header?: string | null;
  footer?: string | null;
  status?: string;
  error?: string | null;
  media?: { url: string; mimeType: string; filename: string | null; kind: string } | null;
  buttons?: PhoneButton[];
  listButton?: string | null;
  tapped?: string | null;
  template?: string | null;
  replyTo?: string | null;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const customerOf = (waId: string): DemoCustomer => {
  const c = DEMO_CUSTOMERS.find((x) => x.waId === waId);
  if (!c) throw new HttpError(404, `unknown demo customer ${waId}`);
  return c;
};

const stripHtml = (s: string): string =>
  s
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|li)>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/\n{3,}/g, '\n\n')
    .trim();

function fillPlaceholders(text: string, params: unknown[]): string {
  return text.replace(/\{\{\s*(\w+)\s*\}\}/g, (m, k: string) => {
    const i = Number(k) - 1;
    const p = Number.isInteger(i) ? (params[i] as Obj | undefined) : (params as Obj[]).find((x) => x?.parameter_name === k);
    return p && typeof p.text === 'string' ? p.text : m;
  });
}

/** What the customer's phone shows for one business message. */
function renderOutbound(meta: MetaSimulator, m: OutboundMessage, tapped: string | undefined): PhoneMessage {
  const req = m.request as Obj;
  const out: PhoneMessage = {
    id: m.wamid,
    direction: 'out',
    at: m.createdAt,
    type: m.type,
    text: m.text ?? null,
    status: m.status,
    error: m.errors?.[0] ? `${m.errors[0].code} ${m.errors[0].title}` : null,
    tapped: tapped ?? null,
    replyTo: m.contextMessageId ?? null,
  };
  if (['image', 'document', 'audio', 'video', 'sticker'].includes(m.type)) {
    const media = (req[m.type] ?? {}) as Obj;
    const rec = typeof media.id === 'string' ? meta.state.media.get(media.id) : undefined;
    const url = rec ? `/demo/media/${encodeURIComponent(rec.id)}` : typeof media.link === 'string' ? media.link : '';
    out.media = { url, mimeType: rec?.mimeType ?? (m.type === 'image' ? 'image/jpeg' : 'application/octet-stream'), filename: (media.filename as string) ?? rec?.filename ?? null, kind: m.type };
    out.text = (media.caption as string | undefined) ?? null;
  }
  if (m.type === 'interactive') {
    const it = (req.interactive ?? {}) as Obj;
    out.header = it.header?.type === 'text' ? (it.header.text as string) : null;
    out.footer = (it.footer?.text as string) ?? null;
    out.text = (it.body?.text as string) ?? m.text ?? null;
    if (it.type === 'button') {
      out.buttons = ((it.action?.buttons ?? []) as Obj[]).map((b) => ({ id: String(b.reply?.id ?? ''), title: String(b.reply?.title ?? ''), kind: 'reply' as const }));
    } else if (it.type === 'list') {
      out.listButton = (it.action?.button as string) ?? 'Options';
      out.buttons = ((it.action?.sections ?? []) as Obj[]).flatMap((s) =>
        ((s.rows ?? []) as Obj[]).map((r) => ({ id: String(r.id), title: String(r.title), description: r.description as string | undefined, kind: 'list' as const })),
      );
    } else if (it.type === 'cta_url') {
      const p = (it.action?.parameters ?? {}) as Obj;
      out.buttons = [{ id: 'url', title: String(p.display_text ?? 'Open'), kind: 'url', url: String(p.url ?? '') }];
    }
  }
  if (m.type === 'template' && m.template) {
    out.template = m.template.name;
    const rec: TemplateRecord | undefined = meta.state.templates.get(m.template.id);
    const comps = ((req.template as Obj | undefined)?.components ?? []) as Obj[];
    const paramsOf = (type: string) => (comps.find((c) => String(c.type).toLowerCase() === type)?.parameters ?? []) as unknown[];
    const header = rec?.components.find((c) => c.type === 'HEADER');
    if (header?.format === 'TEXT' && header.text) out.header = fillPlaceholders(header.text, paramsOf('header'));
    else if (header?.format && ['IMAGE', 'DOCUMENT', 'VIDEO'].includes(header.format)) {
      const p = paramsOf('header')[0] as Obj | undefined;
      const kind = header.format.toLowerCase();
      const media = p?.[kind] as Obj | undefined;
      const mrec = typeof media?.id === 'string' ? meta.state.media.get(media.id) : undefined;
      const url = mrec ? `/demo/media/${encodeURIComponent(mrec.id)}` : typeof media?.link === 'string' ? media.link : '';
      if (url) out.media = { url, mimeType: mrec?.mimeType ?? (kind === 'image' ? 'image/jpeg' : 'application/pdf'), filename: (media?.filename as string) ?? null, kind };
    }
    out.footer = rec?.components.find((c) => c.type === 'FOOTER')?.text ?? null;
    const buttons = (rec?.components.find((c) => c.type === 'BUTTONS')?.buttons ?? []) as Obj[];
    const buttonParams = comps.filter((c) => String(c.type).toLowerCase() === 'button');
    out.buttons = buttons.map((b, i) => {
      if (b.type === 'QUICK_REPLY') {
        const p = buttonParams.find((c) => Number(c.index) === i)?.parameters?.[0] as Obj | undefined;
        return { id: String(p?.payload ?? b.text), title: String(b.text), kind: 'template' as const };
      }
      if (b.type === 'URL') return { id: `url-${i}`, title: String(b.text), kind: 'url' as const, url: String(b.url ?? '') };
      return { id: `btn-${i}`, title: String(b.text ?? b.type), kind: 'url' as const, url: b.phone_number ? `tel:${b.phone_number}` : '' };
    });
  }
  return out;
}

function renderInbound(e: PhoneEntry): PhoneMessage {
  return {
    id: e.wamid,
    direction: 'in',
    at: e.at,
    type: e.type,
    text: e.text ?? null,
    media: e.mediaId ? { url: `/demo/media/${encodeURIComponent(e.mediaId)}`, mimeType: e.mimeType ?? '', filename: e.filename ?? null, kind: e.type } : null,
    replyTo: e.replyTo ?? null,
  };
}

function timelineOf(portal: Portal, contact: CrmRecord) {
  const items: Obj[] = [];
  const ids = (type: 'communications' | 'tasks') => [...(contact.associations.get(type)?.keys() ?? [])];
  for (const id of ids('communications')) {
    const r = portal.communications.get(id);
    if (!r || r.archived) continue;
    const p = r.properties;
    items.push({
      id: r.id,
      kind: 'communication',
      channel: p.hs_communication_channel_type ?? null,
      at: p.hs_timestamp ? Date.parse(p.hs_timestamp) || Number(p.hs_timestamp) : r.createdAt,
      body: stripHtml(p.hs_communication_body ?? ''),
      owner: p.hubspot_owner_id ? ownerName(portal, p.hubspot_owner_id) : null,
      loggedFrom: p.hs_communication_logged_from ?? null,
    });
  }
  for (const id of ids('tasks')) {
    const r = portal.tasks.get(id);
    if (!r || r.archived) continue;
    const p = r.properties;
    items.push({
      id: r.id,
      kind: 'task',
      at: p.hs_timestamp ? Date.parse(p.hs_timestamp) || Number(p.hs_timestamp) : r.createdAt,
      subject: p.hs_task_subject ?? '',
      body: stripHtml(p.hs_task_body ?? ''),
      status: p.hs_task_status ?? null,
      priority: p.hs_task_priority ?? null,
      owner: p.hubspot_owner_id ? ownerName(portal, p.hubspot_owner_id) : null,
    });
  }
  return items.sort((a, b) => b.at - a.at || Number(b.id) - Number(a.id));
}

function ownerName(portal: Portal, ownerId: string): string | null {
  const o = portal.owners.get(String(ownerId));
  return o ? `${o.firstName} ${o.lastName}`.trim() : null;
}

export async function startDemoServer(d: DemoServerDeps, port: number, host: string): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(express.json({ limit: '8mb' }));
  app.use((_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  app.use(express.static(PUBLIC_DIR, { index: 'index.html' }));
  app.use('/extension-host', d.extensionHost.router);

  const portal = (): Portal => {
    const p = d.hubspot.portals.get(DEMO_PORTAL.portalId);
    if (!p) throw new HttpError(503, 'the demo HubSpot account does not exist yet');
    return p;
  };
  const wrap = (fn: (req: Request, res: Response) => Promise<unknown> | unknown) => (req: Request, res: Response, next: NextFunction) => {
    Promise.resolve()
      .then(() => fn(req, res))
      .then((v) => {
        if (v !== undefined && !res.headersSent) res.json(v);
      })
      .catch(next);
  };

  app.get(
    '/demo/api/bootstrap',
    wrap(() => {
      const p = d.hubspot.portals.get(DEMO_PORTAL.portalId);
      const users = [...DEMO_PORTAL.agents.map((u) => ({ ...u, role: 'agent' })), { ...DEMO_PORTAL.admin, role: 'admin' }];
      return {
        setup: d.setup() ?? null,
        portalId: DEMO_PORTAL.portalId,
        portalDomain: DEMO_PORTAL.domain,
        business: { name: DEMO_NUMBER.verifiedName, displayPhoneNumber: DEMO_NUMBER.displayPhoneNumber, label: DEMO_NUMBER.label, phoneNumberId: DEMO_NUMBER.phoneNumberId },
        customers: DEMO_CUSTOMERS.map((c) => ({ waId: c.waId, phone: c.phone, name: c.name, language: c.language, city: c.city, inCrm: c.inCrm, suggestion: c.suggestion })),
        users: users.map((u) => ({ userId: u.userId, name: fullName(u), email: u.email, role: u.role, ownerId: p ? (ownerIdOf(p, u.userId) ?? null) : null })),
        urls: { ...d.urls, install: `${d.urls.app}/oauth/install` },
      };
    }),
  );

  // ---- the customer's phone ----
  app.get(
    '/demo/api/phone/:waId',
    wrap((req) => {
      const c = customerOf(String(req.params.waId));
      const entries = d.phone.entries.filter((e) => e.waId === c.waId);
      const known = new Set(entries.map((e) => e.wamid));
      // The customer's own messages show blue ticks once the business marked them read (POST /messages status=read).
      const messages: PhoneMessage[] = entries.map((e) => ({ ...renderInbound(e), status: d.meta.state.inbound.get(e.wamid)?.readByBusiness ? 'read' : 'delivered' }));
      // Inbound messages injected some other way (scripts, tests) still show, at Meta's timestamp.
      for (const m of d.meta.state.inbound.values()) {
        if (m.from !== c.waId || known.has(m.wamid) || m.phoneNumberId !== DEMO_NUMBER.phoneNumberId) continue;
        const body = m.message as Obj;
        messages.push({ id: m.wamid, direction: 'in', at: m.timestamp * 1000, type: m.type, text: body.text?.body ?? body.interactive?.button_reply?.title ?? body.button?.text ?? `(${m.type})`, media: null });
      }
      for (const m of d.meta.customer.inbox(c.waId)) {
        if (m.phoneNumberId !== DEMO_NUMBER.phoneNumberId || m.type === 'reaction') continue;
        messages.push(renderOutbound(d.meta, m, d.phone.tapped[m.wamid]));
      }
      messages.sort((a, b) => a.at - b.at);
      return { customer: { waId: c.waId, name: c.name }, messages };
    }),
  );

  const record = (c: DemoCustomer, e: Omit<PhoneEntry, 'waId' | 'at'>, at: number) => {
    d.phone.entries.push({ ...e, waId: c.waId, at });
  };

  app.post(
    '/demo/api/phone/:waId/text',
    wrap(async (req) => {
      const c = customerOf(String(req.params.waId));
      const text = String(req.body?.text ?? '').trim();
      if (!text) throw new HttpError(422, 'write something first');
      const at = Date.now();
      const r = await d.meta.customer.sendText({ from: c.waId, to: DEMO_NUMBER.phoneNumberId, name: c.name, text });
      record(c, { wamid: r.wamid, type: 'text', text }, at);
      return { wamid: r.wamid, webhookStatus: r.status };
    }),
  );

  app.post(
    '/demo/api/phone/:waId/media',
    wrap(async (req) => {
      const c = customerOf(String(req.params.waId));
      const b = (req.body ?? {}) as Obj;
      let bytes: Buffer;
      let mimeType: string;
      let filename: string | undefined;
      let kind: 'image' | 'document';
      if (b.sample === 'image') {
        bytes = samplePhoto();
        mimeType = 'image/png';
        kind = 'image';
      } else if (b.sample === 'document') {
        bytes = sampleInvoicePdf(c.name);
        mimeType = 'application/pdf';
        filename = 'factura-4821.pdf';
        kind = 'document';
      } else if (typeof b.bytesBase64 === 'string' && typeof b.mimeType === 'string') {
        bytes = Buffer.from(b.bytesBase64, 'base64');
        mimeType = b.mimeType;
        kind = /^image\/(jpeg|png)$/.test(mimeType) ? 'image' : 'document';
        filename = kind === 'document' ? String(b.filename ?? 'file') : undefined;
      } else throw new HttpError(422, 'choose a sample or a file');
      const caption = typeof b.caption === 'string' && b.caption.trim() ? b.caption.trim() : kind === 'image' ? (c.language === 'es' ? 'Así llegó la caja' : 'This is how the box arrived') : undefined;
      const at = Date.now();
      const r = await d.meta.customer.sendMedia({ from: c.waId, to: DEMO_NUMBER.phoneNumberId, name: c.name, kind, bytes, mimeType, filename, caption });
      record(c, { wamid: r.wamid, type: kind, text: caption, mediaId: r.mediaId, mimeType, filename }, at);
      return { wamid: r.wamid, webhookStatus: r.status };
    }),
  );

  app.post(
    '/demo/api/phone/:waId/tap',
    wrap(async (req) => {
      const c = customerOf(String(req.params.waId));
      const { wamid, buttonId, title } = (req.body ?? {}) as Obj;
      const m = d.meta.state.messages.get(String(wamid));
      if (!m || m.waId !== c.waId) throw new HttpError(404, 'no such business message on this phone');
      if (d.phone.tapped[m.wamid] && m.type === 'interactive') throw new HttpError(409, 'already answered');
      const base = { from: c.waId, to: DEMO_NUMBER.phoneNumberId, name: c.name, replyToWamid: m.wamid };
      const view = renderOutbound(d.meta, m, undefined);
      const button = view.buttons?.find((x) => x.id === buttonId && x.title === title) ?? view.buttons?.find((x) => x.id === buttonId);
      if (!button || button.kind === 'url') throw new HttpError(422, 'that is not a reply button');
      const at = Date.now();
      const r =
        button.kind === 'reply'
          ? await d.meta.customer.tapButton({ ...base, buttonId: button.id, title: button.title })
          : button.kind === 'list'
            ? await d.meta.customer.tapListItem({ ...base, rowId: button.id, title: button.title, description: button.description })
            : await d.meta.customer.tapTemplateButton({ ...base, payload: button.id, text: button.title });
      d.phone.tapped[m.wamid] = button.id;
      record(c, { wamid: r.wamid, type: 'button', text: button.title, replyTo: m.wamid }, at);
      return { wamid: r.wamid, webhookStatus: r.status };
    }),
  );

  /** The customer has these business messages on screen: WhatsApp reports them read. */
  app.post(
    '/demo/api/phone/:waId/read',
    wrap(async (req) => {
      const c = customerOf(String(req.params.waId));
      const ids = Array.isArray(req.body?.wamids) ? (req.body.wamids as unknown[]).map(String) : [];
      let read = 0;
      for (const id of ids) {
        const m = d.meta.state.messages.get(id);
        if (!m || m.waId !== c.waId || m.status === 'read' || m.status === 'failed' || m.type === 'reaction') continue;
        void d.meta.customer.read(id).catch(() => undefined);
        read++;
      }
      return { read };
    }),
  );

  app.get(
    '/demo/media/:id',
    wrap((req, res) => {
      const m = d.meta.state.media.get(String(req.params.id));
      if (!m) throw new HttpError(404, 'no such media');
      res.type(m.mimeType);
      if (m.filename) res.setHeader('Content-Disposition', `inline; filename="${m.filename.replace(/"/g, '')}"`);
      res.send(m.bytes);
    }),
  );

  // ---- the HubSpot side ----
  app.get(
    '/demo/api/hubspot/contact/:waId',
    wrap((req) => {
      const c = customerOf(String(req.params.waId));
      const p = portal();
      const matches = findCrmContacts(p, c.waId);
      const contact = matches[0];
      if (!contact) return { contact: null, duplicates: 0, timeline: [] };
      const props = contact.properties;
      const appProps = Object.entries(props)
        .filter(([k]) => /^(wa_|whatsapp)/i.test(k))
        .map(([k, v]) => ({ name: k, label: p.properties.get(k)?.label ?? k, value: v, options: p.properties.get(k)?.options ?? [] }))
        .map((x) => ({ name: x.name, label: x.label, value: x.options.find((o) => o.value === x.value)?.label ?? x.value }));
      return {
        contact: {
          id: contact.id,
          firstname: props.firstname ?? '',
          lastname: props.lastname ?? '',
          email: props.email ?? '',
          phone: props.phone ?? props.mobilephone ?? '',
          city: props.city ?? '',
          lifecyclestage: props.lifecyclestage ?? '',
          owner: props.hubspot_owner_id ? ownerName(p, props.hubspot_owner_id) : null,
          createdAt: contact.createdAt,
          appProperties: appProps,
        },
        duplicates: matches.length - 1,
        timeline: timelineOf(p, contact),
      };
    }),
  );

  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = err instanceof HttpError ? err.status : 500;
    res.status(status).json({ error: { message: err instanceof Error ? err.message : String(err) } });
  });

  const server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  return {
    url: `http://${host === '0.0.0.0' ? 'localhost' : host}:${addr.port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
