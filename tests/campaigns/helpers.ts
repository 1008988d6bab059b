import type { Clock } from '../../src/clock.js';
import type { Database } from '../../src/db/database.js';
import type { CampaignsOptions } from '../../src/campaigns/index.js';
import type { DomainOptions } from '../../src/composition.js';
import { createMetaSimulator, type MetaSimulator } from '../../simulators/meta/index.js';
import type { Portal } from '../../simulators/hubspot/index.js';
import { TEST_SECRETS } from '../helpers/config.js';
import { startTestRuntime, type TestRuntime } from '../helpers/runtime.js';
import { signedRequest } from '../helpers/signed.js';
import { install, newPortal, startSimulator, type SimHandle } from '../hubspot/helpers.js';
import { seedNumber } from '../whatsapp/helpers.js';

export const PNID = '106540352242922';
export const WABA = '102290129340398';
export const TOKEN = 'EAAtesttoken-0123456789-abcdefghij';

export const PROMO = {
  name: 'promo_julio',
  language: 'es',
  category: 'MARKETING' as const,
  components: [
    { type: 'BODY', text: 'Hola {{1}}, tu código {{2}} vence pronto.', example: { body_text: [['Ana', 'JUL10']] } },
    { type: 'FOOTER', text: 'Responde STOP para no recibir más mensajes' },
  ],
};

/** Every domain, the campaign runner with short leases so tests see take-overs quickly. */
export function campaignModules(opts: CampaignsOptions = {}): DomainOptions {
  return { campaigns: opts };
}

export interface Env {
  rt: TestRuntime;
  sim: MetaSimulator;
  simUrl: string;
  hubspot?: SimHandle;
  portal?: Portal;
  portalId: number;
  admin: number;
  api(method: 'GET' | 'POST' | 'PUT' | 'PATCH', path: string, o?: { body?: unknown; query?: Record<string, string | number> }): ReturnType<typeof signedRequest>;
  close(): Promise<void>;
}

/**
 * The app against the Meta simulator, with the number connected and a marketing template. With
 * `hubspot`, also installed in a HubSpot simulator portal with agents on duty all day (replies route);
 * without, a bare portal (no HubSpot calls) — enough for a ManualClock.
 */
export async function startEnv(o: { hubspot?: boolean; clock?: Clock; mps?: number; modules?: DomainOptions; db?: Database; work?: boolean } = {}): Promise<Env> {
  const sim = createMetaSimulator({
    appSecret: TEST_SECRETS.WHATSAPP_APP_SECRET,
    numbers: [{ phoneNumberId: PNID, wabaId: WABA, displayPhoneNumber: '+57 601 5550000', verifiedName: 'Acme', accessToken: TOKEN, throughputMps: o.mps ?? 80 }],
    statusDelayMs: 5,
  });
  sim.seedTemplate({ wabaId: WABA, ...PROMO });
  const server = await sim.listen(0);
  const hubspot = o.hubspot ? await startSimulator() : undefined;
  const portal = hubspot ? newPortal(hubspot.sim) : undefined;
  const portalId = portal?.portalId ?? 4242;
  const admin = portal?.users[0]!.userId ?? 901;
  const env: Record<string, string> = { WHATSAPP_API_BASE_URL: server.url };
  if (hubspot) Object.assign(env, { HUBSPOT_API_BASE_URL: hubspot.url, HUBSPOT_AUTH_BASE_URL: hubspot.url });
  const rt = await startTestRuntime({ env, clock: o.clock, db: o.db, work: o.work, domains: o.modules ?? campaignModules({ runner: { leaseMs: 2000, staleClaimMs: 3000 } }) });
  const { url } = await rt.listen(0, '127.0.0.1');
  sim.setWebhookUrl(`${url}/webhooks/whatsapp`);
  const api: Env['api'] = (method, path, x = {}) =>
    signedRequest(rt.app, {
      method,
      path,
      body: x.body,
      query: x.query,
      portalId,
      userId: admin,
      timestamp: rt.ctx.clock.now().getTime(),
      headers: method === 'GET' ? {} : { 'Idempotency-Key': `k-${Math.random().toString(36).slice(2)}` },
    });
  if (hubspot && portal) {
    await install(rt, hubspot, portal, admin);
    const connect = await api('POST', '/api/v1/whatsapp-numbers', { body: { phoneNumberId: PNID, wabaId: WABA, accessToken: TOKEN, label: 'Ventas' } });
    if (connect.status !== 201) throw new Error(`connect ${connect.status} ${JSON.stringify(connect.body)}`);
    const settings = (await api('GET', '/api/v1/settings')).body;
    const allDay = [{ from: '00:00', to: '23:59' }];
    const weekly = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, allDay]));
    await api('PUT', '/api/v1/settings', { body: { ...settings, businessHours: { ...settings.businessHours, weekly }, autoClose: { enabled: false } } });
    const owners = (await api('GET', '/api/v1/owners')).body.owners;
    await api('PUT', '/api/v1/agents', { body: { agents: owners.map((x: any) => ({ ...x, active: true, available: true, outOfOffice: [] })) } });
  } else if (!o.db) {
    await seedNumber(rt.db, rt.ctx.secrets, { portalId, displayPhoneNumber: '+57 601 5550000', installedBy: admin });
  }
  return {
    rt,
    sim,
    simUrl: server.url,
    hubspot,
    portal,
    portalId,
    admin,
    api,
    async close() {
      await rt.close();
      sim.stop();
      await server.close();
      await hubspot?.close();
    },
  };
}

export { waitFor } from '../helpers/wait.js';

/** Audience phones 57300000NNNN (Colombia mobiles), national format to exercise the country default. */
export const phoneOf = (i: number) => `300${String(10_000_000 + i).slice(1)}`;
export const waOf = (i: number) => `57${phoneOf(i)}`;

/** Local contacts with consent granted (as the consent bot would have recorded). */
export async function consented(db: Database, portalId: number, indexes: number[]): Promise<void> {
  await db.query(
    `INSERT INTO contacts (portal_id, wa_id, phone_e164, consent, consent_at)
     SELECT $1, w, '+' || w, 'granted', now() FROM unnest($2::text[]) w
     ON CONFLICT (portal_id, phone_e164) WHERE phone_e164 IS NOT NULL DO UPDATE SET consent = 'granted'`,
    [portalId, indexes.map(waOf)],
  );
}

/** Messages Meta accepted per recipient phone (to prove nobody got two). */
export function sendsPerPhone(sim: MetaSimulator, template = PROMO.name): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of sim.state.messages.values()) if (m.template?.name === template) out.set(m.waId, (out.get(m.waId) ?? 0) + 1);
  return out;
}
