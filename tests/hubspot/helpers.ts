import { randomBytes } from 'node:crypto';
import request from 'supertest';
import type { Clock } from '../../src/clock.js';
import { upsertWhatsAppContact } from '../../src/contacts/contacts-repo.js';
import type { Database } from '../../src/db/database.js';
import type { HubSpotOptions } from '../../src/hubspot/index.js';
import { loadAppManifest } from '../../src/hubspot/manifest.js';
import { createHubSpotSimulator, type HubSpotSimulator, type Portal } from '../../simulators/hubspot/index.js';
import { TEST_SECRETS } from '../helpers/config.js';
import { startTestRuntime, type TestRuntime } from '../helpers/runtime.js';

export const PUBLIC = 'https://app.example.test';

export interface SimHandle {
  sim: HubSpotSimulator;
  url: string;
  close(): Promise<void>;
}

export async function startSimulator(extra: Partial<Parameters<typeof createHubSpotSimulator>[0]> = {}): Promise<SimHandle> {
  const sim = createHubSpotSimulator({
    clientId: TEST_SECRETS.HUBSPOT_CLIENT_ID,
    clientSecret: TEST_SECRETS.HUBSPOT_CLIENT_SECRET,
    redirectUris: [`${PUBLIC}/oauth/callback`],
    requiredScopes: loadAppManifest().requiredScopes,
    ...extra,
  });
  const { url, close } = await sim.listen();
  return { sim, url, close };
}

let nextPortal = 7_100_000 + Math.floor(Math.random() * 1000) * 10;

export function newPortal(sim: HubSpotSimulator): Portal {
  nextPortal += 1;
  return sim.createPortal({
    portalId: nextPortal,
    domain: `shop${nextPortal}.example.com`,
    users: [
      { userId: 901, email: 'admin@shop.example.com', firstName: 'Ada', lastName: 'Admin' },
      { userId: 902, email: 'rep@shop.example.com', firstName: 'Rui', lastName: 'Rep' },
    ],
  });
}

export async function startApp(
  simUrl: string,
  o: { db?: Database; clock?: Clock; hubspot?: HubSpotOptions; work?: boolean; withWhatsApp?: boolean } = {},
): Promise<TestRuntime> {
  return startTestRuntime({
    db: o.db,
    clock: o.clock,
    work: o.work,
    env: { HUBSPOT_API_BASE_URL: simUrl, HUBSPOT_AUTH_BASE_URL: simUrl },
    domains: { hubspot: { lingerMs: 30, inDoubtHoldMs: 0, ...o.hubspot }, whatsapp: o.withWhatsApp ? {} : false, conversations: false },
  });
}

/** The whole browser flow: /oauth/install → HubSpot's page → approve → /oauth/callback. Returns the callback response. */
export async function install(rt: TestRuntime, h: SimHandle, portal: Portal, userId = portal.users[0]!.userId) {
  const start = await request(rt.app).get('/oauth/install');
  if (start.status !== 302) throw new Error(`install: ${start.status}`);
  const authorize = new URL(start.headers.location!);
  h.sim.approveInstall({ portalId: portal.portalId, userId });
  const pageRes = await fetch(authorize);
  const html = await pageRes.text();
  if (pageRes.status !== 200) throw new Error(`authorize page ${pageRes.status}: ${html}`);
  const fields: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    fields[m[1]!] = m[2]!.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');
  }
  const approved = await fetch(`${h.url}/oauth/authorize`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...fields, decision: 'approve' }).toString(),
  });
  const back = new URL(approved.headers.get('location')!);
  const callback = await request(rt.app).get(back.pathname + back.search);
  return { start, authorize, back, callback };
}

export function internals(rt: TestRuntime) {
  return rt.services.hubspot!;
}

let seq = 0;

/** Stores an inbound message the way the WhatsApp domain does, and emits message.inbound. */
export async function inbound(
  rt: TestRuntime,
  p: { portalId: number; waId: string; profileName?: string | null; text?: string; sentAt?: Date; emit?: boolean },
): Promise<{ contactId: number; messageId: number }> {
  const contact = await upsertWhatsAppContact(rt.db.pool, { portalId: p.portalId, waId: p.waId, profileName: p.profileName ?? null });
  seq += 1;
  const m = await rt.db.query<{ id: number }>(
    `INSERT INTO messages (portal_id, contact_id, phone_number_id, wamid, direction, type, text, payload, status, sender, sent_at)
     VALUES ($1, $2, 'PN1', $3, 'in', 'text', $4, '{}', 'received', 'customer', $5) RETURNING id`,
    [p.portalId, contact.id, `wamid.${randomBytes(8).toString('hex')}`, p.text ?? `hello ${seq}`, p.sentAt ?? new Date(Date.UTC(2026, 3, 1, 12, 0, seq % 60))],
  );
  const messageId = Number(m.rows[0]!.id);
  if (p.emit !== false) await rt.ctx.events.emit('message.inbound', { messageId, portalId: p.portalId });
  return { contactId: Number(contact.id), messageId };
}

/** Stores many inbound messages at once (one transaction, as a webhook burst would). */
export async function inboundMany(
  rt: TestRuntime,
  portalId: number,
  items: Array<{ waId: string; profileName?: string | null; text?: string; sentAt?: Date }>,
): Promise<number[]> {
  const ids = await rt.db.tx(async (c) => {
    const out: number[] = [];
    for (const p of items) {
      const contact = await upsertWhatsAppContact(c, { portalId, waId: p.waId, profileName: p.profileName ?? null });
      seq += 1;
      const m = await c.query<{ id: number }>(
        `INSERT INTO messages (portal_id, contact_id, phone_number_id, wamid, direction, type, text, payload, status, sender, sent_at)
         VALUES ($1, $2, 'PN1', $3, 'in', 'text', $4, '{}', 'received', 'customer', $5) RETURNING id`,
        [portalId, contact.id, `wamid.${randomBytes(8).toString('hex')}`, p.text ?? `hello ${seq}`, p.sentAt ?? new Date(Date.UTC(2026, 3, 1, 12, 0, seq % 60))],
      );
      out.push(Number(m.rows[0]!.id));
    }
    return out;
  });
  return ids;
}

/** Deletes (archives) a contact through HubSpot's API, as a user would. */
export async function deleteInHubSpot(h: SimHandle, portal: Portal, objectType: 'contacts' | 'tasks', id: string): Promise<void> {
  const token = h.sim.issueTokens({ portalId: portal.portalId }).access_token;
  const r = await fetch(`${h.url}/crm/objects/2026-03/${objectType}/${id}`, { method: 'DELETE', headers: { Authorization: `Bearer ${token}` } });
  if (r.status !== 204) throw new Error(`delete ${objectType}/${id}: ${r.status}`);
}

export { waitFor } from '../helpers/wait.js';

export async function loggedCount(db: Database, portalId: number): Promise<number> {
  const r = await db.query(`SELECT count(*)::int AS n FROM messages WHERE portal_id = $1 AND hubspot_communication_id IS NOT NULL`, [portalId]);
  return r.rows[0].n;
}

export const liveComms = (portal: Portal) => [...portal.communications.values()].filter((c) => !c.archived);
export const liveContacts = (portal: Portal) => [...portal.contacts.values()].filter((c) => !c.archived);
