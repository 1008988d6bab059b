import { randomBytes } from 'node:crypto';
import type { Clock } from '../../src/clock.js';
import { upsertWhatsAppContact, type ContactRow } from '../../src/contacts/contacts-repo.js';
import type { ConversationsService } from '../../src/conversations/index.js';
import { consentPropertyValues } from '../../src/hubspot/index.js';
import type { ConsentMirror, ConsentState, ContactDirectory, MessageSender, OwnerInfo, SendOptions, TaskNotifier, TaskRequest } from '../../src/seams.js';
import type { OutboundRequest } from '../../src/whatsapp/types.js';
import type { ConversationRow, MessageRow } from '../../src/conversations/types.js';
import type { Database } from '../../src/db/database.js';
import { AppError } from '../../src/errors.js';
import type { Settings } from '../../src/settings/index.js';
import { testDatabase } from '../helpers/db.js';
import { startTestRuntime, type TestRuntime } from '../helpers/runtime.js';
import { signedRequest } from '../helpers/signed.js';

export const PORTAL = 777;
export const ADMIN_USER = 1;
export const PN = '1098765';
export const PN2 = '2098765';

/**
 * Fakes at the seams to the WhatsApp and HubSpot domains (src/seams.ts) in this domain's DB tests: `send` stores the
 * outbound message like the real sender (client-key dedupe, status accepted, a wamid) without Meta.
 */
export class FakeSeams implements MessageSender, ContactDirectory, TaskNotifier, ConsentMirror {
  sent: OutboundRequest[] = [];
  tasks: TaskRequest[] = [];
  /** Consent mirrored to HubSpot, as the HubSpot contact properties it becomes. */
  properties: { portalId: number; contactId: number; properties: Record<string, unknown> }[] = [];
  completed: number[] = [];
  ownerList: OwnerInfo[] = [];
  contactOwners = new Map<number, string>();
  hubspotContacts = new Map<string, { phone: string | null; consentOptedIn: boolean } | null>();
  /** Makes the next send throw (e.g. a Meta error mapped by the real sender). */
  failNext: AppError | null = null;
  private n = 0;

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  /** Like the real sender: the row and the caller's `onStored` change commit together, before "Meta". */
  async send(req: OutboundRequest, opts?: SendOptions): Promise<MessageRow> {
    if (req.clientKey) {
      const prev = await this.db.query<MessageRow>('SELECT * FROM messages WHERE portal_id = $1 AND client_key = $2', [req.portalId, req.clientKey]);
      if (prev.rows[0]) return prev.rows[0];
    }
    if (this.failNext) {
      const e = this.failNext;
      this.failNext = null;
      throw e;
    }
    this.sent.push(req);
    const c = req.content;
    const type = c.kind === 'text' ? 'text' : c.kind === 'media' ? c.mediaType : c.kind === 'template' ? 'template' : 'interactive';
    const text = c.kind === 'text' ? c.text : c.kind === 'interactive_buttons' || c.kind === 'interactive_list' ? c.body : c.kind === 'template' ? `[${c.name}] ${c.parameters.join(' ')}` : (c.caption ?? null);
    const id = await this.db.tx(async (q) => {
      const r = await q.query<MessageRow>(
        `INSERT INTO messages (portal_id, contact_id, conversation_id, phone_number_id, wamid, client_key, direction, type, text, payload, status,
           sender, agent_id, template_name, sent_at)
         VALUES ($1,$2,$3,$4,$5,$6,'out',$7,$8,$9,'accepted',$10,$11,$12,$13) RETURNING *`,
        [
          req.portalId, req.contactId, req.conversationId ?? null, req.phoneNumberId, `wamid.out.${++this.n}.${randomBytes(3).toString('hex')}`,
          req.clientKey ?? null, type, text, JSON.stringify({ content: c }), req.sender, req.agentId ?? null, c.kind === 'template' ? c.name : null,
          this.clock.now(),
        ],
      );
      await opts?.onStored?.(q, r.rows[0]!);
      return r.rows[0]!.id;
    });
    return (await this.db.query<MessageRow>('SELECT * FROM messages WHERE id = $1', [id])).rows[0]!;
  }
  async mediaOf() {
    return null;
  }
  async owners() {
    return this.ownerList;
  }
  async mirrorConsent(_q: unknown, p: { portalId: number; contactId: number } & ConsentState) {
    this.properties.push({ portalId: p.portalId, contactId: p.contactId, properties: consentPropertyValues(p) });
  }
  async completeTask(_q: unknown, p: { portalId: number; conversationId: number }) {
    this.completed.push(p.conversationId);
  }
  async enqueueTask(_q: unknown, t: TaskRequest) {
    this.tasks.push(t);
  }
  async contactOwnerId(_portalId: number, contactId: number) {
    return this.contactOwners.get(contactId) ?? null;
  }
  async lookupHubSpotContact(_portalId: number, id: string) {
    return this.hubspotContacts.has(id) ? this.hubspotContacts.get(id) : undefined;
  }

  /** Sends of one kind, for assertions. */
  texts(): string[] {
    return this.sent.map((s) => (s.content.kind === 'text' ? s.content.text : s.content.kind === 'interactive_buttons' ? s.content.body : s.content.kind));
  }
}

export interface Harness {
  rt: TestRuntime;
  db: Database;
  fakes: FakeSeams;
  svc: ConversationsService;
  close(): Promise<void>;
}

/** An app instance with only the settings and conversations domains (fakes at the WhatsApp/HubSpot seams). */
export async function startHarness(o: { clock: Clock; db?: Database; fakes?: FakeSeams; work?: boolean }): Promise<Harness> {
  const db = o.db ?? (await testDatabase());
  const fakes = o.fakes ?? new FakeSeams(db, o.clock);
  const rt = await startTestRuntime({
    db,
    ownsDb: !o.db,
    clock: o.clock,
    work: o.work,
    domains: { whatsapp: false, hubspot: false, conversations: { seams: { sender: fakes, directory: fakes, tasks: fakes, consent: fakes } } },
  });
  return { rt, db: rt.db, fakes, svc: rt.services.conversations!, close: () => rt.close() };
}

export async function seedPortal(db: Database, o: { portalId?: number; numbers?: string[] } = {}): Promise<void> {
  const portalId = o.portalId ?? PORTAL;
  await db.query(`INSERT INTO portals (id, installed_by_user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [portalId, ADMIN_USER]);
  for (const [i, pn] of (o.numbers ?? [PN]).entries()) {
    await db.query(
      `INSERT INTO whatsapp_numbers (portal_id, phone_number_id, waba_id, label, verified_name, access_token_enc)
       VALUES ($1, $2, 'WABA1', $3, 'Acme SAS', 'x') ON CONFLICT DO NOTHING`,
      [portalId, pn, i === 0 ? 'Customer Support' : 'Customer Success'],
    );
  }
}

/** Agents with user ids 100+i and owner ids 900+i. */
export async function seedAgents(db: Database, n: number, o: { portalId?: number; available?: boolean } = {}): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 1; i <= n; i++) {
    const r = await db.query<{ id: number }>(
      `INSERT INTO agents (portal_id, owner_id, user_id, email, name, available) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
      [o.portalId ?? PORTAL, String(900 + i), 100 + i, `agent${i}@acme.co`, `Agent ${i}`, o.available ?? true],
    );
    ids.push(Number(r.rows[0]!.id));
  }
  return ids;
}

let phoneSeq = 0;
export async function seedContact(
  db: Database,
  o: { portalId?: number; consent?: 'granted' | 'declined' | 'unknown'; optedOut?: boolean; hubspotId?: string; waId?: string } = {},
): Promise<ContactRow> {
  const waId = o.waId ?? `5730012${String(++phoneSeq).padStart(5, '0')}${randomBytes(1)[0]! % 10}`;
  const c = await upsertWhatsAppContact(db.pool, { portalId: o.portalId ?? PORTAL, waId, profileName: `Cliente ${phoneSeq}` });
  await db.query(`UPDATE contacts SET consent = $2, opted_out = $3, hubspot_contact_id = $4 WHERE id = $1`, [
    c.id,
    o.consent ?? 'unknown',
    o.optedOut ?? false,
    o.hubspotId ?? null,
  ]);
  return (await db.query<ContactRow>('SELECT * FROM contacts WHERE id = $1', [c.id])).rows[0]!;
}

export type InboundInput =
  | { text: string }
  | { buttonId: string; title: string }
  | { templateButton: string; title?: string }
  | { type: 'image' | 'reaction' | 'sticker' };

/** Stores an inbound message as the WhatsApp domain would (no event); returns its id. */
export async function storeInbound(db: Database, contact: ContactRow, input: InboundInput, at: Date, pn = PN): Promise<number> {
  let type: string;
  let text: string | null;
  let payload: Record<string, unknown>;
  if ('text' in input) {
    type = 'text';
    text = input.text;
    payload = { type, text: { body: input.text } };
  } else if ('buttonId' in input) {
    type = 'interactive';
    text = input.title;
    payload = { type, interactive: { type: 'button_reply', button_reply: { id: input.buttonId, title: input.title } } };
  } else if ('templateButton' in input) {
    type = 'button';
    text = input.title ?? input.templateButton;
    payload = { type, button: { payload: input.templateButton, text: input.title ?? input.templateButton } };
  } else {
    type = input.type;
    text = input.type === 'reaction' ? 'Reacted 👍' : null;
    payload = { type };
  }
  const r = await db.query<{ id: number }>(
    `INSERT INTO messages (portal_id, contact_id, phone_number_id, wamid, direction, type, text, payload, status, sender, sent_at)
     VALUES ($1, $2, $3, $4, 'in', $5, $6, $7, 'received', 'customer', $8) RETURNING id`,
    [contact.portal_id, contact.id, pn, `wamid.in.${randomBytes(8).toString('hex')}`, type, text, JSON.stringify(payload), at],
  );
  await db.query('UPDATE contacts SET last_inbound_at = GREATEST(last_inbound_at, $2) WHERE id = $1', [contact.id, at]);
  return Number(r.rows[0]!.id);
}

/** Stores the message and lets the domain handle it (as the `message.inbound` job would). */
export async function inbound(h: Harness, contact: ContactRow, input: InboundInput, at: Date, pn = PN): Promise<number> {
  const id = await storeInbound(h.db, contact, input, at, pn);
  await h.svc.handleInbound(id);
  return id;
}

export { waitFor } from '../helpers/wait.js';

export async function conversationOf(db: Database, contactId: number): Promise<ConversationRow[]> {
  return (await db.query<ConversationRow>('SELECT * FROM conversations WHERE contact_id = $1 ORDER BY id', [contactId])).rows;
}

export async function patchSettings(h: Harness, fn: (s: Settings) => Settings): Promise<Settings> {
  return h.rt.services.settings.patch(PORTAL, fn);
}

/**
 * A signed extension call, timed by the app's (manual) clock. Like `hubspot.fetch` (no request header
 * but Authorization), a write's idempotency key travels in the JSON body unless the body brings its own.
 */
export function api(
  h: Harness,
  method: 'GET' | 'POST' | 'PUT',
  path: string,
  o: { body?: unknown; userId?: number; query?: Record<string, string | number | undefined>; key?: string; portalId?: number } = {},
) {
  return signedRequest(h.rt.app, {
    method,
    path,
    query: o.query,
    body: method === 'GET' ? o.body : withKey(o.body, o.key ?? randomBytes(8).toString('hex')),
    portalId: o.portalId ?? PORTAL,
    userId: o.userId ?? ADMIN_USER,
    timestamp: h.rt.ctx.clock.now().getTime(),
  });
}

/** The body `hubspot.fetch` would send: the caller's, with the idempotency key added. */
function withKey(body: unknown, key: string): unknown {
  if (body === undefined) return { idempotencyKey: key };
  if (body === null || typeof body !== 'object' || Array.isArray(body) || 'idempotencyKey' in body) return body;
  return { ...body, idempotencyKey: key };
}
