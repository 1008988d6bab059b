/**
 * A world for bot flow tests: the app between the Meta and HubSpot simulators, installed, one
 * WhatsApp number, every owner an available agent, open all week, consent on, and the given bot
 * flow (built from the agents, so a menu option can route to one of them).
 */
import { createMetaSimulator, type MetaSimulator } from '../../simulators/meta/index.js';
import type { Portal } from '../../simulators/hubspot/index.js';
import { CONSENT_BUTTON } from '../../src/consent/index.js';
import { TEST_SECRETS } from '../helpers/config.js';
import { startTestRuntime, type TestRuntime } from '../helpers/runtime.js';
import { signedRequest } from '../helpers/signed.js';
import { install, newPortal, startSimulator, waitFor, type SimHandle } from '../hubspot/helpers.js';

export const PNID = '106540352242922';
const WABA = '102290129340398';
const TOKEN = 'EAAtesttoken-0123456789-abcdefghij';

export interface Agent {
  agentId: string;
  userId: number;
  name: string;
}

export interface BotWorld {
  rt: TestRuntime;
  sim: MetaSimulator;
  hubspot: SimHandle;
  portal: Portal;
  agents: Agent[];
  /** The agent of the portal's second user (the sales rep). */
  sales: Agent;
  api(method: 'GET' | 'PUT' | 'POST', path: string, body?: unknown): ReturnType<typeof signedRequest>;
  row(sql: string, params: unknown[]): Promise<any>;
  inbox(wa: string): ReturnType<MetaSimulator['customer']['inbox']>;
  /** The n-th business message to the customer (1-based), once it is there. */
  nth(wa: string, n: number): Promise<ReturnType<MetaSimulator['customer']['inbox']>[number]>;
  /** The customer writes, is asked for consent and accepts. */
  consent(wa: string, name: string): Promise<void>;
  close(): Promise<void>;
}

export async function startBotWorld(botFlow: (agents: { sales: Agent; all: Agent[] }) => unknown): Promise<BotWorld> {
  const sim = createMetaSimulator({
    appSecret: TEST_SECRETS.WHATSAPP_APP_SECRET,
    numbers: [{ phoneNumberId: PNID, wabaId: WABA, displayPhoneNumber: '15550783881', verifiedName: 'Acme Support', accessToken: TOKEN }],
    statusDelayMs: 5,
  });
  const server = await sim.listen(0);
  const hubspot = await startSimulator();
  const portal = newPortal(hubspot.sim);
  const rt = await startTestRuntime({ env: { WHATSAPP_API_BASE_URL: server.url, HUBSPOT_API_BASE_URL: hubspot.url, HUBSPOT_AUTH_BASE_URL: hubspot.url } });
  const { url } = await rt.listen(0, '127.0.0.1');
  sim.setWebhookUrl(`${url}/webhooks/whatsapp`);

  const api: BotWorld['api'] = (method, path, body) =>
    signedRequest(rt.app, {
      method,
      path,
      body,
      portalId: portal.portalId,
      userId: portal.users[0]!.userId,
      headers: method === 'GET' ? {} : { 'Idempotency-Key': `k-${Math.random().toString(36).slice(2)}` },
    });
  const inbox = (wa: string) => sim.customer.inbox(wa);
  const w: BotWorld = {
    rt,
    sim,
    hubspot,
    portal,
    agents: [],
    sales: undefined as unknown as Agent,
    api,
    row: async (sql, params) => (await rt.db.query(sql, params)).rows[0],
    inbox,
    nth: (wa, n) => waitFor(async () => inbox(wa).length >= n && inbox(wa)[n - 1], `bot message ${n} to ${wa}`),
    async consent(wa, name) {
      await sim.customer.sendText({ from: wa, to: PNID, name, text: 'Hola' });
      const prompt = await waitFor(async () => inbox(wa).find((m) => m.type === 'interactive'), 'consent prompt');
      await sim.customer.tapButton({ from: wa, to: PNID, replyToWamid: prompt.wamid, buttonId: CONSENT_BUTTON.accept, title: 'Acepto' });
    },
    async close() {
      await rt.close();
      sim.stop();
      await server.close();
      await hubspot.close();
    },
  };

  expect((await install(rt, hubspot, portal)).callback.status).toBe(302);
  expect((await api('POST', '/api/v1/whatsapp-numbers', { phoneNumberId: PNID, wabaId: WABA, accessToken: TOKEN, label: 'Soporte' })).status).toBe(201);
  const owners = (await api('GET', '/api/v1/owners')).body.owners;
  const a = await api('PUT', '/api/v1/agents', { agents: owners.map((o: any) => ({ ...o, active: true, available: true, outOfOffice: [] })) });
  expect(a.status).toBe(200);
  w.agents = a.body.agents;
  w.sales = w.agents.find((x) => x.userId === portal.users[1]!.userId)!;

  const s = (await api('GET', '/api/v1/settings')).body;
  const allDay = [{ from: '00:00', to: '23:59' }];
  const put = await api('PUT', '/api/v1/settings', {
    ...s,
    consent: { ...s.consent, policyUrl: 'https://acme.example/privacidad' },
    businessHours: { ...s.businessHours, weekly: { mon: allDay, tue: allDay, wed: allDay, thu: allDay, fri: allDay, sat: allDay, sun: allDay } },
    autoClose: { enabled: false },
    botFlow: botFlow({ sales: w.sales, all: w.agents }),
  });
  expect([put.status, put.body.error]).toEqual([200, undefined]);
  return w;
}
