/**
 * The whole product against both simulators, for the privacy / uninstall / loop-guard tests: the
 * real WhatsApp module against the Meta simulator (signed webhooks in, Graph sends out, statuses
 * back), the real HubSpot module against the HubSpot simulator (OAuth install), and the extension
 * API signed like HubSpot's proxy.
 */
import { CONSENT_BUTTON } from '../../src/consent/index.js';
import type { Portal } from '../../simulators/hubspot/index.js';
import { createMetaSimulator, type MetaSimulator } from '../../simulators/meta/index.js';
import { TEST_SECRETS } from './config.js';
import { startTestRuntime, type TestRuntime } from './runtime.js';
import { signedRequest } from './signed.js';
import { install, newPortal, startSimulator, waitFor, type SimHandle } from '../hubspot/helpers.js';

export const PNID = '106540352242922';
export const WABA = '102290129340398';
export const TOKEN = 'EAAtesttoken-0123456789-abcdefghij';
/** A marketing template of the WABA (campaigns). */
export const PROMO = {
  name: 'promo_julio',
  language: 'es',
  category: 'MARKETING' as const,
  components: [{ type: 'BODY', text: 'Hola {{1}}, tu código {{2}} vence pronto.', example: { body_text: [['Ana', 'JUL10']] } }],
};

export interface Stack {
  rt: TestRuntime;
  /** Where the app listens (loopback). */
  url: string;
  meta: MetaSimulator;
  hubspot: SimHandle;
  /** The first installed portal (it connected PNID). */
  portal: Portal;
  api(method: 'GET' | 'POST' | 'PUT' | 'PATCH', path: string, o?: { body?: unknown; userId?: number; portalId?: number }): ReturnType<typeof signedRequest>;
  /** Installs another HubSpot portal through OAuth (it has no number yet). */
  installPortal(): Promise<Portal>;
  /** Configures a portal as the tests need: open 24/7, a privacy policy, no auto-close. */
  configure(portalId: number): Promise<void>;
  connectNumber(portalId: number, token?: string): ReturnType<typeof signedRequest>;
  row(sql: string, params: unknown[]): Promise<any>;
  inbox(wa: string): ReturnType<MetaSimulator['customer']['inbox']>;
  /** A customer who wrote, tapped "accept", and whose conversation is open. */
  consentedCustomer(wa: string, name: string, firstText: string): Promise<{ contactId: number }>;
  close(): Promise<void>;
}

export async function startStack(o: { env?: Record<string, string> } = {}): Promise<Stack> {
  const meta = createMetaSimulator({
    appSecret: TEST_SECRETS.WHATSAPP_APP_SECRET,
    numbers: [{ phoneNumberId: PNID, wabaId: WABA, displayPhoneNumber: '15550783881', verifiedName: 'Acme Support', accessToken: TOKEN }],
    statusDelayMs: 5,
  });
  meta.seedTemplate({ wabaId: WABA, ...PROMO });
  const server = await meta.listen(0);
  const hubspot = await startSimulator();
  const rt = await startTestRuntime({ env: { ...o.env, WHATSAPP_API_BASE_URL: server.url, HUBSPOT_API_BASE_URL: hubspot.url, HUBSPOT_AUTH_BASE_URL: hubspot.url } });
  const { url } = await rt.listen(0, '127.0.0.1');
  meta.setWebhookUrl(`${url}/webhooks/whatsapp`);

  const admins = new Map<number, number>();
  const api: Stack['api'] = (method, path, o = {}) => {
    const portalId = o.portalId ?? portal.portalId;
    return signedRequest(rt.app, {
      method,
      path,
      body: o.body,
      portalId,
      userId: o.userId ?? admins.get(portalId)!,
      headers: method === 'GET' ? {} : { 'Idempotency-Key': `k-${Math.random().toString(36).slice(2)}` },
    });
  };
  const installPortal = async () => {
    const p = newPortal(hubspot.sim);
    admins.set(p.portalId, p.users[0]!.userId);
    const installed = await install(rt, hubspot, p, p.users[0]!.userId);
    if (installed.callback.status !== 302) throw new Error(`install: ${installed.callback.status}`);
    return p;
  };
  const configure = async (portalId: number) => {
    const settings = (await api('GET', '/api/v1/settings', { portalId })).body;
    const allDay = [{ from: '00:00', to: '23:59' }];
    const put = await api('PUT', '/api/v1/settings', {
      portalId,
      body: {
        ...settings,
        consent: { ...settings.consent, policyUrl: 'https://acme.example/privacidad' },
        businessHours: { ...settings.businessHours, weekly: { mon: allDay, tue: allDay, wed: allDay, thu: allDay, fri: allDay, sat: allDay, sun: allDay } },
        autoClose: { enabled: false },
      },
    });
    if (put.status !== 200) throw new Error(`settings: ${put.status} ${JSON.stringify(put.body)}`);
    const owners = (await api('GET', '/api/v1/owners', { portalId })).body.owners;
    const a = await api('PUT', '/api/v1/agents', { portalId, body: { agents: owners.map((o: any) => ({ ...o, active: true, available: true, outOfOffice: [] })) } });
    if (a.status !== 200) throw new Error(`agents: ${a.status}`);
  };
  const connectNumber = (portalId: number, token = TOKEN) =>
    api('POST', '/api/v1/whatsapp-numbers', { portalId, body: { phoneNumberId: PNID, wabaId: WABA, accessToken: token, label: 'Customer Support' } });

  const portal = await installPortal();
  await configure(portal.portalId);
  const connected = await connectNumber(portal.portalId);
  if (connected.status !== 201) throw new Error(`connect: ${connected.status} ${JSON.stringify(connected.body)}`);

  const row = async (sql: string, params: unknown[]) => (await rt.db.query(sql, params)).rows[0];
  const inbox = (wa: string) => meta.customer.inbox(wa);
  const consentedCustomer = async (wa: string, name: string, firstText: string) => {
    await meta.customer.sendText({ from: wa, to: PNID, name, text: firstText });
    const prompt = await waitFor(async () => inbox(wa).find((m) => m.type === 'interactive'), 'consent prompt');
    await meta.customer.tapButton({ from: wa, to: PNID, replyToWamid: prompt.wamid, buttonId: CONSENT_BUTTON.accept, title: 'Acepto' });
    const contact = await waitFor(() => row(`SELECT id FROM contacts WHERE phone_e164 = $1 AND consent = 'granted'`, [`+${wa}`]), 'consent granted');
    await waitFor(() => row(`SELECT 1 FROM conversations WHERE contact_id = $1 AND status = 'open'`, [contact.id]), 'conversation open');
    return { contactId: Number(contact.id) };
  };

  return {
    rt,
    url,
    meta,
    hubspot,
    portal,
    api,
    installPortal,
    configure,
    connectNumber,
    row,
    inbox,
    consentedCustomer,
    async close() {
      await rt.close();
      meta.stop();
      await server.close();
      await hubspot.close();
    },
  };
}

/**
 * Every place in the database (every schema but PostgreSQL's own, every text, varchar, json, jsonb,
 * bytea and array column) where one of `needles` occurs, as `schema.table.column`.
 */
export async function findEverywhere(rt: TestRuntime, needles: string[]): Promise<Array<{ where: string; needle: string }>> {
  const cols = await rt.db.query<{ table_schema: string; table_name: string; column_name: string; data_type: string }>(
    `SELECT c.table_schema, c.table_name, c.column_name, c.data_type
       FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
      WHERE c.table_schema NOT IN ('pg_catalog', 'information_schema') AND c.table_schema NOT LIKE 'pg_toast%'
        AND c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb', 'bytea', 'ARRAY')`,
  );
  const found: Array<{ where: string; needle: string }> = [];
  for (const c of cols.rows) {
    const col = `"${c.column_name}"`;
    // bytea as its bytes (printable ones as they are), everything else as its text form
    const asText = c.data_type === 'bytea' ? `encode(${col}, 'escape')` : `${col}::text`;
    for (const needle of needles) {
      const r = await rt.db.query(`SELECT 1 FROM "${c.table_schema}"."${c.table_name}" WHERE strpos(${asText}, $1) > 0 LIMIT 1`, [needle]);
      if (r.rowCount) found.push({ where: `${c.table_schema}.${c.table_name}.${c.column_name}`, needle });
    }
  }
  return found;
}
