// The simulators keep their state in memory. The demo saves what a real HubSpot account and a real
// WhatsApp Business Account would remember (CRM records, templates, messages, media, the phone's
// history) to DATA_DIR/demo/simulators.json, so a re-run finds the same world the database remembers.
import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import type { HubSpotSimulator, Portal } from '../hubspot/index.js';
import type { InboundMessage, MediaRecord, MetaSimulator, OutboundMessage, TemplateRecord } from '../meta/index.js';

/** One message the customer sent from the demo phone (the demo's own log: exact order and what was tapped). */
export interface PhoneEntry {
  wamid: string;
  waId: string;
  /** ms since epoch, when the phone sent it. */
  at: number;
  type: 'text' | 'image' | 'document' | 'button';
  text?: string;
  mediaId?: string;
  mimeType?: string;
  filename?: string;
  /** For taps: the business message whose button was tapped. */
  replyTo?: string;
}

export interface PhoneState {
  entries: PhoneEntry[];
  /** business wamid → id/payload of the button the customer tapped on it. */
  tapped: Record<string, string>;
}

interface HubSpotPortalSnapshot {
  portalId: number;
  domain: string;
  users: Portal['users'];
  owners: Portal['owners'];
  contacts: Portal['contacts'];
  communications: Portal['communications'];
  tasks: Portal['tasks'];
  schemas: Portal['schemas'];
  nextObjectId: number;
}

interface Snapshot {
  version: 1;
  savedAt: string;
  hubspot: { portals: HubSpotPortalSnapshot[] };
  meta: {
    templates: TemplateRecord[];
    messages: OutboundMessage[];
    inbound: InboundMessage[];
    media: MediaRecord[];
  };
  phone: PhoneState;
}

// JSON with Maps, Sets and Buffers.
function replacer(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const raw = this[key];
  if (Buffer.isBuffer(raw)) return { __buf: raw.toString('base64') };
  if (raw instanceof Map) return { __map: [...raw.entries()] };
  if (raw instanceof Set) return { __set: [...raw.values()] };
  return value;
}

function reviver(_key: string, value: unknown): unknown {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const v = value as Record<string, unknown>;
    if (typeof v.__buf === 'string' && Object.keys(v).length === 1) return Buffer.from(v.__buf, 'base64');
    if (Array.isArray(v.__map) && Object.keys(v).length === 1) return new Map(v.__map as [unknown, unknown][]);
    if (Array.isArray(v.__set) && Object.keys(v).length === 1) return new Set(v.__set as unknown[]);
  }
  return value;
}

export class DemoPersistence {
  private timer: NodeJS.Timeout | undefined;
  readonly file: string;

  constructor(
    dir: string,
    private readonly hubspot: HubSpotSimulator,
    private readonly meta: MetaSimulator,
    readonly phone: PhoneState = { entries: [], tapped: {} },
  ) {
    this.file = path.join(dir, 'simulators.json');
  }

  /** Loads the saved world into fresh simulators. Call before the app starts (no webhook URL set yet). */
  async restore(): Promise<boolean> {
    if (!existsSync(this.file)) return false;
    let snap: Snapshot;
    try {
      snap = JSON.parse(readFileSync(this.file, 'utf8'), reviver) as Snapshot;
    } catch (err) {
      console.warn(`demo: ignoring unreadable ${this.file} (${(err as Error).message})`);
      return false;
    }
    for (const p of snap.hubspot.portals) {
      const portal = this.hubspot.portals.get(p.portalId) ?? this.hubspot.createPortal({ portalId: p.portalId, domain: p.domain, users: p.users });
      portal.users = p.users;
      portal.owners = p.owners;
      portal.contacts = p.contacts;
      portal.communications = p.communications;
      portal.tasks = p.tasks;
      portal.schemas = p.schemas;
      portal.properties = p.schemas.contacts.properties;
      portal.groups = p.schemas.contacts.groups;
      portal.nextObjectId = p.nextObjectId;
      // Tokens are not restored: the demo installs the app again through OAuth on every start.
    }
    for (const t of snap.meta.templates) {
      this.meta.seedTemplate({
        id: t.id,
        wabaId: t.wabaId,
        name: t.name,
        language: t.language,
        category: t.category,
        status: t.status,
        parameterFormat: t.parameterFormat,
        components: t.components,
      });
    }
    for (const m of snap.meta.media) this.meta.state.media.set(m.id, m);
    for (const m of snap.meta.messages) this.meta.state.messages.set(m.wamid, m);
    // Inbound messages go back through the simulator's own ingest (no webhook URL is set yet, so
    // nothing is delivered): that also restores each customer's 24-hour service window.
    const byNumber = new Map<string, InboundMessage[]>();
    for (const m of snap.meta.inbound) byNumber.set(m.phoneNumberId, [...(byNumber.get(m.phoneNumberId) ?? []), m]);
    for (const [phoneNumberId, list] of byNumber) {
      await this.meta.customer.sendRaw({
        object: 'whatsapp_business_account',
        entry: [{ id: 'restore', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { phone_number_id: phoneNumberId }, messages: list.map((m) => m.message) } }] }],
      });
      for (const m of list) {
        const restored = this.meta.state.inbound.get(m.wamid);
        if (restored) restored.readByBusiness = m.readByBusiness;
      }
    }
    this.meta.state.webhooks.length = 0;
    this.phone.entries = snap.phone?.entries ?? [];
    this.phone.tapped = snap.phone?.tapped ?? {};
    return true;
  }

  save(): void {
    const snap: Snapshot = {
      version: 1,
      savedAt: new Date().toISOString(),
      hubspot: {
        portals: [...this.hubspot.portals.values()].map((p) => ({
          portalId: p.portalId,
          domain: p.domain,
          users: p.users,
          owners: p.owners,
          contacts: p.contacts,
          communications: p.communications,
          tasks: p.tasks,
          schemas: p.schemas,
          nextObjectId: p.nextObjectId,
        })),
      },
      meta: {
        templates: [...this.meta.state.templates.values()],
        messages: [...this.meta.state.messages.values()],
        inbound: [...this.meta.state.inbound.values()],
        media: [...this.meta.state.media.values()],
      },
      phone: this.phone,
    };
    mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify(snap, replacer));
    renameSync(tmp, this.file);
  }

  /** Saves every `ms` until stop(). */
  start(ms = 2000): void {
    this.timer = setInterval(() => {
      try {
        this.save();
      } catch (err) {
        console.warn(`demo: could not save the simulators' state (${(err as Error).message})`);
      }
    }, ms);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
