// The outside world of a multi-instance run: the Meta and HubSpot simulators, the app installed
// through its real entry points (the demo's setup: OAuth, number, templates, agents, settings),
// signed customer webhooks, and what the simulators saw (sends, 429s, timeline communications).
import http from 'node:http';
import { createHubSpotSimulator, type HubSpotSimulator, type Portal } from '../../simulators/hubspot/index.js';
import { createMetaSimulator, metaJson, signSha256, type MetaSimulator } from '../../simulators/meta/index.js';
import { ExtensionClient } from '../../simulators/demo/extension.js';
import { DEMO_NUMBER, DEMO_PORTAL, DEMO_SECRETS } from '../../simulators/demo/fixtures.js';
import { runSetup, seedTemplates } from '../../simulators/demo/setup.js';

export const NUMBER = DEMO_NUMBER;
export const PORTAL_ID = DEMO_PORTAL.portalId;

export interface World {
  meta: MetaSimulator;
  hubspot: HubSpotSimulator;
  portal: () => Portal;
  /** Environment for every instance (they must all share PUBLIC_BASE_URL = appUrl). */
  env: Record<string, string>;
  appUrl: string;
  close(): Promise<void>;
}

export async function createWorld(o: { appUrl: string; throughputMps: number; logLevel?: string }): Promise<World> {
  const hubspot = createHubSpotSimulator({
    clientId: DEMO_SECRETS.HUBSPOT_CLIENT_ID,
    clientSecret: DEMO_SECRETS.HUBSPOT_CLIENT_SECRET,
    redirectUris: [`${o.appUrl}/oauth/callback`],
    appName: 'WhatsApp for HubSpot',
  });
  const meta = createMetaSimulator({
    appSecret: DEMO_SECRETS.WHATSAPP_APP_SECRET,
    throughputMps: o.throughputMps,
    // The pair limit (45 per customer per 6 s) is Meta's; our customers write far less.
    numbers: [{ ...DEMO_NUMBER, throughputMps: o.throughputMps }],
  });
  seedTemplates(meta);
  const metaServer = await meta.listen(0);
  const hubspotServer = await hubspot.listen(0);
  hubspot.createPortal({ portalId: DEMO_PORTAL.portalId, domain: DEMO_PORTAL.domain, users: [DEMO_PORTAL.admin, ...DEMO_PORTAL.agents] });
  const env = {
    NODE_ENV: 'test',
    LOG_LEVEL: o.logLevel ?? 'warn',
    PUBLIC_BASE_URL: o.appUrl,
    ...DEMO_SECRETS,
    HUBSPOT_API_BASE_URL: hubspotServer.url,
    HUBSPOT_AUTH_BASE_URL: hubspotServer.url,
    WHATSAPP_API_BASE_URL: metaServer.url,
    WHATSAPP_API_VERSION: 'v24.0',
    WHATSAPP_THROUGHPUT_PER_SECOND: String(o.throughputMps),
  };
  return {
    meta,
    hubspot,
    portal: () => hubspot.portals.get(DEMO_PORTAL.portalId)!,
    env,
    appUrl: o.appUrl,
    async close() {
      meta.stop();
      await metaServer.close();
      await hubspotServer.close();
    },
  };
}

/** Installs and configures the app through `appUrl` (round-robin over three agents, open 24/7). */
export async function setupWorld(w: World): Promise<void> {
  const api = new ExtensionClient(w.hubspot, w.appUrl, DEMO_PORTAL.portalId);
  const report = await runSetup({ hubspot: w.hubspot, hubspotUrl: w.env.HUBSPOT_API_BASE_URL!, meta: w.meta, appUrl: w.appUrl, api });
  if (!report.ok) throw new Error(`setup failed: ${report.steps.filter((s) => !s.ok).map((s) => `${s.name}: ${s.detail}`).join('; ')}`);
  w.meta.setWebhookUrl(`${w.appUrl}/webhooks/whatsapp`);
}

/** A signed Meta webhook carrying one customer text message. */
export function inboundWebhook(p: { waId: string; wamid: string; text: string; name?: string; at?: number }): { body: Buffer; signature: string } {
  const payload = {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: NUMBER.wabaId,
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: NUMBER.displayPhoneNumber.replace(/\D/g, ''), phone_number_id: NUMBER.phoneNumberId },
              contacts: [{ profile: { name: p.name ?? `Cliente ${p.waId.slice(-4)}` }, wa_id: p.waId }],
              messages: [{ from: p.waId, id: p.wamid, timestamp: String(Math.floor((p.at ?? Date.now()) / 1000)), type: 'text', text: { body: p.text } }],
            },
          },
        ],
      },
    ],
  };
  const body = Buffer.from(metaJson(payload));
  return { body, signature: signSha256(body, DEMO_SECRETS.WHATSAPP_APP_SECRET) };
}

/** A customer writes: the signed webhook the app receives, and the window it opens at Meta. */
export function customerWrites(w: World, p: { waId: string; wamid: string; text: string; name?: string; at?: number }): { body: Buffer; signature: string } {
  w.meta.openWindow(NUMBER.phoneNumberId, p.waId, Math.floor((p.at ?? Date.now()) / 1000));
  return inboundWebhook(p);
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

/** POSTs a webhook; resolves with the HTTP status (0 when the connection failed, e.g. a killed instance). */
export function postWebhook(baseUrl: string, w: { body: Buffer; signature: string }): Promise<number> {
  return new Promise((resolve) => {
    const req = http.request(
      new URL('/webhooks/whatsapp', baseUrl),
      { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': w.body.length, 'x-hub-signature-256': w.signature } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', () => resolve(0));
      },
    );
    req.setTimeout(30_000, () => req.destroy());
    req.on('error', () => resolve(0));
    req.end(w.body);
  });
}

export interface Seen {
  /** Messages Meta accepted, per recipient wa_id, with when (ms). */
  sendsTo: Map<string, { at: number; text: string }[]>;
  /** POST …/messages calls per wall-clock second (accepted or not). */
  sendCallsPerSecond: Map<number, number>;
  /** Sends Meta refused (130429 throughput and any other error answer). */
  metaRefused: number;
  /** Timeline communications per message ref (wa-msg-N), with when HubSpot stored them. */
  communicationsByRef: Map<string, number[]>;
  /** Every match of `re` (global) in a communication's body, with when HubSpot stored it: one pass for many lookups. */
  communicationTokens: (re: RegExp) => Array<[string, number]>;
  hubspotCalls: number;
  hubspot429: number;
}

export function seen(w: World): Seen {
  const sendsTo = new Map<string, { at: number; text: string }[]>();
  for (const m of w.meta.state.messages.values()) {
    const list = sendsTo.get(m.waId) ?? [];
    list.push({ at: m.statusHistory[0]?.at ?? 0, text: m.text ?? m.type });
    sendsTo.set(m.waId, list);
  }
  const sendCallsPerSecond = new Map<number, number>();
  let metaRefused = 0;
  for (const r of w.meta.requests) {
    if (r.method !== 'POST' || !r.path.endsWith(`/${NUMBER.phoneNumberId}/messages`)) continue;
    if ((r.body as { status?: string } | undefined)?.status === 'read') continue; // read receipts are not messages
    const s = Math.floor(r.at / 1000);
    sendCallsPerSecond.set(s, (sendCallsPerSecond.get(s) ?? 0) + 1);
    if (r.status === 400 || r.status === 429) metaRefused++;
  }
  const communicationsByRef = new Map<string, number[]>();
  const comms = [...w.portal().communications.values()].filter((c) => !c.archived);
  for (const c of comms) {
    const ref = /wa-msg-(\d+)(?!\d)/.exec(String(c.properties.hs_communication_body ?? ''))?.[0] ?? `no-ref-${c.id}`;
    const list = communicationsByRef.get(ref) ?? [];
    list.push(c.createdAt);
    communicationsByRef.set(ref, list);
  }
  return {
    sendsTo,
    sendCallsPerSecond,
    metaRefused,
    communicationsByRef,
    communicationTokens: (re) => comms.flatMap((c) => [...String(c.properties.hs_communication_body ?? '').matchAll(re)].map((m) => [m[0], c.createdAt] as [string, number])),
    hubspotCalls: Object.entries(w.hubspot.counters.byKind).filter(([k]) => !k.startsWith('oauth.')).reduce((s, [, n]) => s + n, 0),
    hubspot429: w.hubspot.counters.rateLimited,
  };
}
