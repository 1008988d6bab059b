// Brings the demo world to its starting point through the app's real entry points, idempotently:
// OAuth install, CRM contacts, the WhatsApp number, templates, agents and settings.
import type { CrmRecord, HubSpotSimulator, Portal } from '../hubspot/index.js';
import type { MetaSimulator } from '../meta/index.js';
import { clickThrough } from './browser-client.js';
import { ExtensionClient } from './extension.js';
import { DEMO_CUSTOMERS, DEMO_LABELS, DEMO_NUMBER, DEMO_PORTAL, DEMO_QUICK_REPLIES, demoTemplates, fullName } from './fixtures.js';

export interface SetupStep {
  name: string;
  ok: boolean;
  detail: string;
}

export interface SetupReport {
  ok: boolean;
  steps: SetupStep[];
}

export interface SetupDeps {
  hubspot: HubSpotSimulator;
  hubspotUrl: string;
  meta: MetaSimulator;
  /** The app's PUBLIC_BASE_URL. */
  appUrl: string;
  api: ExtensionClient;
  log?: (line: string) => void;
}

const digits = (s: string | undefined): string => (s ?? '').replace(/\D+/g, '');

/** JSON with sorted keys (PostgreSQL's JSONB does not keep key order). */
const canon = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1))) : x,
  );

/** The portal's users and owners: the admin and the three agents (added when missing). */
export function ensurePortal(hubspot: HubSpotSimulator): Portal {
  const users = [DEMO_PORTAL.admin, ...DEMO_PORTAL.agents];
  let portal = hubspot.portals.get(DEMO_PORTAL.portalId);
  if (!portal) {
    portal = hubspot.createPortal({ portalId: DEMO_PORTAL.portalId, domain: DEMO_PORTAL.domain, users });
  }
  for (const u of users) {
    if (!portal.users.some((x) => x.userId === u.userId)) hubspot.addUser(DEMO_PORTAL.portalId, u);
  }
  return portal;
}

export function ownerIdOf(portal: Portal, userId: number): string | undefined {
  return [...portal.owners.values()].find((o) => o.userId === userId && !o.archived)?.id;
}

/** The CRM contact of a WhatsApp number (phone or mobile phone, with or without country code). */
export function findCrmContacts(portal: Portal, waId: string): CrmRecord[] {
  const out: CrmRecord[] = [];
  for (const c of portal.contacts.values()) {
    if (c.archived) continue;
    const p = c.properties;
    const candidates = [p.phone, p.mobilephone, p.hs_whatsapp_phone_number, p.wa_id, p.whatsapp_phone].map(digits).filter((d) => d.length >= 7);
    if (candidates.some((d) => d === waId || waId.endsWith(d))) out.push(c);
  }
  return out.sort((a, b) => a.createdAt - b.createdAt);
}

/** Seeds the demo templates (APPROVED) in the Meta simulator; the same ids on every run. */
export function seedTemplates(meta: MetaSimulator): number {
  const list = demoTemplates(DEMO_NUMBER.wabaId);
  for (const t of list) meta.seedTemplate({ ...t, status: 'APPROVED' });
  return list.length;
}

export async function runSetup(d: SetupDeps): Promise<SetupReport> {
  const steps: SetupStep[] = [];
  const log = d.log ?? (() => {});
  const admin = DEMO_PORTAL.admin.userId;
  const step = async (name: string, fn: () => Promise<string>): Promise<boolean> => {
    try {
      const detail = await fn();
      steps.push({ name, ok: true, detail });
      log(`  ✓ ${name}: ${detail}`);
      return true;
    } catch (err) {
      const detail = (err as Error).message;
      steps.push({ name, ok: false, detail });
      log(`  ✗ ${name}: ${detail}`);
      return false;
    }
  };

  const portal = ensurePortal(d.hubspot);

  const installed = await step('install the app (OAuth)', async () => {
    d.hubspot.approveInstall({ portalId: DEMO_PORTAL.portalId, userId: admin });
    const r = await clickThrough(`${d.appUrl}/oauth/install`, { approveOn: (url) => url.startsWith(d.hubspotUrl) });
    const visitedAuthorize = r.trail.some((t) => t.includes('/oauth/authorize'));
    const visitedCallback = r.trail.some((t) => t.includes('/oauth/callback'));
    if (!visitedAuthorize || !visitedCallback || r.status >= 400) {
      throw new Error(`install flow ended at ${r.url} with HTTP ${r.status}: ${r.body.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 240)} (${r.trail.join(' → ')})`);
    }
    return `portal ${DEMO_PORTAL.portalId} (${DEMO_PORTAL.domain}) installed by ${fullName(DEMO_PORTAL.admin)}`;
  });

  await step('CRM contacts', async () => {
    const { access_token } = d.hubspot.issueTokens({ portalId: DEMO_PORTAL.portalId, userId: admin });
    const created: string[] = [];
    for (const c of DEMO_CUSTOMERS.filter((x) => x.inCrm)) {
      if (findCrmContacts(portal, c.waId).length > 0) continue;
      const owner = c.ownerIndex !== undefined ? ownerIdOf(portal, DEMO_PORTAL.agents[c.ownerIndex].userId) : undefined;
      const res = await fetch(`${d.hubspotUrl}/crm/objects/2026-03/contacts`, {
        method: 'POST',
        headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          properties: {
            firstname: c.firstName,
            lastname: c.lastName,
            email: c.email,
            phone: c.phone,
            city: c.city,
            lifecyclestage: 'customer',
            ...(owner ? { hubspot_owner_id: owner } : {}),
          },
        }),
      });
      if (res.status !== 201) throw new Error(`creating ${c.name}: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`);
      created.push(c.name);
    }
    const existing = DEMO_CUSTOMERS.filter((x) => x.inCrm).length - created.length;
    return created.length ? `created ${created.join(', ')}` : `${existing} already in the CRM`;
  });

  if (!installed) {
    steps.push({ name: 'the rest of the setup', ok: false, detail: 'skipped: the app is not installed' });
    return { ok: false, steps };
  }

  await step('connect the WhatsApp number', async () => {
    const res = await d.api.expect('POST /api/v1/whatsapp-numbers', [200, 201], {
      userId: admin,
      method: 'POST',
      path: '/api/v1/whatsapp-numbers',
      body: { phoneNumberId: DEMO_NUMBER.phoneNumberId, wabaId: DEMO_NUMBER.wabaId, accessToken: DEMO_NUMBER.accessToken, label: DEMO_NUMBER.label },
    });
    return `${DEMO_NUMBER.label} ${DEMO_NUMBER.displayPhoneNumber} (${res.status === 201 ? 'connected' : 'already connected, token refreshed'})`;
  });

  await step('templates (es, en)', async () => {
    const count = seedTemplates(d.meta);
    // Ask the app to sync now; it also syncs on its own schedule and on Meta's template webhooks.
    const sync = await d.api.fetch({ userId: admin, method: 'POST', path: `/api/v1/templates/sync?phoneNumberId=${DEMO_NUMBER.phoneNumberId}`, body: {} });
    const wanted = new Set(demoTemplates(DEMO_NUMBER.wabaId).map((t) => `${t.name}:${t.language}`));
    const deadline = Date.now() + 15_000;
    let seen = 0;
    for (;;) {
      const res = await d.api.expect<{ templates: { name: string; language: string }[] }>('GET /api/v1/templates', [200], {
        userId: admin,
        path: `/api/v1/templates?phoneNumberId=${DEMO_NUMBER.phoneNumberId}`,
      });
      seen = res.body.templates.filter((t) => wanted.has(`${t.name}:${t.language}`)).length;
      if (seen === wanted.size) break;
      if (Date.now() > deadline) throw new Error(`only ${seen} of ${wanted.size} templates synced (sync call answered HTTP ${sync.status})`);
      await new Promise((r) => setTimeout(r, 300));
    }
    return `${count} approved in Meta, ${seen} synced by the app`;
  });

  await step('agents (round-robin)', async () => {
    let owners: { ownerId: string; userId: number | null }[];
    const o = await d.api.fetch({ userId: admin, path: '/api/v1/owners' });
    if (o.status === 200 && Array.isArray(o.body?.owners)) owners = o.body.owners;
    else owners = [...portal.owners.values()].map((x) => ({ ownerId: x.id, userId: x.userId }));
    const desired = DEMO_PORTAL.agents.map((u) => {
      const ownerId = owners.find((x) => Number(x.userId) === u.userId)?.ownerId ?? ownerIdOf(portal, u.userId);
      if (!ownerId) throw new Error(`no HubSpot owner for ${u.email}`);
      return { ownerId: String(ownerId), userId: u.userId, email: u.email, name: fullName(u), active: true, available: true, outOfOffice: [] as { from: string; to: string }[] };
    });
    const current = await d.api.expect<{ agents: { agentId?: string; ownerId: string; active: boolean; available: boolean }[] }>('GET /api/v1/agents', [200], {
      userId: admin,
      path: '/api/v1/agents',
    });
    const active = current.body.agents.filter((a) => a.active);
    const same = active.length === desired.length && desired.every((x) => active.some((a) => String(a.ownerId) === x.ownerId));
    if (same) return `${desired.map((x) => x.name).join(', ')} (already set up)`;
    const body = {
      agents: desired.map((x) => {
        const existing = current.body.agents.find((a) => String(a.ownerId) === x.ownerId);
        return existing?.agentId ? { agentId: existing.agentId, ...x } : x;
      }),
    };
    await d.api.expect('PUT /api/v1/agents', [200], { userId: admin, method: 'PUT', path: '/api/v1/agents', body });
    return desired.map((x) => x.name).join(', ');
  });

  await step('settings', async () => {
    const res = await d.api.expect<any>('GET /api/v1/settings', [200], { userId: admin, path: '/api/v1/settings' });
    const s = structuredClone(res.body);
    const allDay = [{ from: '00:00', to: '23:59' }];
    s.routing = { ...s.routing, method: 'round_robin' };
    // Open around the clock so the demo behaves the same at any hour; no end-of-day auto-close.
    s.businessHours = { ...s.businessHours, weekly: { mon: allDay, tue: allDay, wed: allDay, thu: allDay, fri: allDay, sat: allDay, sun: allDay }, holidays: [] };
    s.autoClose = { enabled: false };
    s.resolutionLabels = DEMO_LABELS;
    s.consent = { ...s.consent, policyUrl: 'https://acme.example/privacidad' };
    const titles = new Set((s.quickReplies ?? []).map((q: { title: string }) => q.title));
    s.quickReplies = [...(s.quickReplies ?? []), ...DEMO_QUICK_REPLIES.filter((q) => !titles.has(q.title)).map((q) => ({ id: '', phoneNumberId: null, ...q }))];
    if (canon(s) === canon(res.body)) return 'round-robin, open 24/7, labels and quick replies (already set)';
    await d.api.expect('PUT /api/v1/settings', [200], { userId: admin, method: 'PUT', path: '/api/v1/settings', body: s });
    return 'round-robin, open 24/7, no auto-close, 4 resolution labels, 3 quick replies';
  });

  return { ok: steps.every((s) => s.ok), steps };
}
