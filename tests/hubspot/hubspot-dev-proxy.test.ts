// Issue 10: HubSpot's own local-dev proxy (AppProxyService from
// @hubspot/ui-extensions-dev-server) in front of the real backend, loopback only. It signs the mapped
// local URL with CLIENT_SECRET, refuses request headers, and forwards JSON bodies.
import { jest } from '@jest/globals';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import path from 'node:path';
import { TEST_SECRETS } from '../helpers/config.js';
import { startTestRuntime, type TestRuntime } from '../helpers/runtime.js';

// The dev server's error reporter initialises Sentry (a HubSpot DSN) and process-wide exit handlers: stub it.
const devServerDir = path.dirname(createRequire(import.meta.url).resolve('@hubspot/ui-extensions-dev-server'));
jest.unstable_mockModule(path.join(devServerDir, 'lib/errorReporter.js'), () => ({ reportError: () => undefined }));

const PUBLIC = 'https://app.example.test';
const PORTAL = 4711;
const USER = 7;
let rt: TestRuntime;
let proxyUrl = '';
let closeProxy: () => void = () => undefined;

beforeAll(async () => {
  process.env.CLIENT_SECRET = TEST_SECRETS.HUBSPOT_CLIENT_SECRET;
  rt = await startTestRuntime({ work: false, env: { HUBSPOT_SIGNED_BASE_URLS: PUBLIC } });
  const { url } = await rt.listen(0, '127.0.0.1');
  // The backend accepts signatures over the local origin the dev proxy signs (HUBSPOT_SIGNED_BASE_URLS).
  rt.config.hubspot.signedBaseUrls.push(url);
  await rt.db.query(`INSERT INTO portals (id, status, installed_by_user_id) VALUES ($1, 'installed', $2)`, [PORTAL, USER]); // USER is the admin
  const { AppProxyService } = (await import(path.join(devServerDir, 'lib/proxy/AppProxyService.js'))) as {
    AppProxyService: (o: object) => { listen: (port: number, host: string, cb: () => void) => import('node:http').Server };
  };
  const silent = { debug() {}, info() {}, warn() {}, error() {} };
  const app = AppProxyService({ localDevUrlMapping: { [PUBLIC]: url }, logger: silent, accountId: PORTAL, allowedUrls: [PUBLIC] });
  await new Promise<void>((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => {
      proxyUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/proxy`;
      closeProxy = () => {
        server.closeAllConnections();
        server.close();
      };
      resolve();
    });
  });
});
afterAll(async () => {
  closeProxy();
  await rt?.close();
  delete process.env.CLIENT_SECRET;
});

/** What the browser side of hubspot.fetch posts to the dev server's proxy. */
async function viaDevProxy(method: string, pathAndQuery: string, o: { body?: object; headers?: Record<string, string> } = {}) {
  const res = await fetch(proxyUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ requestUri: `${PUBLIC}${pathAndQuery}`, method, requestTimeoutMillis: 15000, requestBody: o.body, requestHeaders: o.headers }),
  });
  return { status: res.status, body: (await res.json()) as any };
}

const q = `portalId=${PORTAL}&userId=${USER}`;

describe("HubSpot's local-dev proxy in front of the backend", () => {
  test('refuses the old Idempotency-Key header exactly as HubSpot does', async () => {
    const r = await viaDevProxy('PUT', `/api/v1/settings?${q}`, { body: {}, headers: { 'Idempotency-Key': 'k' } });
    expect(r.status).toBe(400);
    expect(r.body.message).toBe("Invalid Request Headers provided. Only 'Authorization' header is allowed from hubspot.fetch()");
  });

  test('GET and PUT /settings with idempotencyKey in the body are accepted, signed over the local URL', async () => {
    const get = await viaDevProxy('GET', `/api/v1/settings?${q}`);
    expect(get.status).toBe(200);
    expect(get.body.status).toBe('success');
    const settings = { ...get.body.responseBody, consent: { ...get.body.responseBody.consent, policyUrl: 'https://acme.example/privacidad' } };
    expect(settings).toHaveProperty('consent');
    const put = await viaDevProxy('PUT', `/api/v1/settings?${q}`, { body: { ...settings, idempotencyKey: 'dev-proxy-1' } });
    expect(put.body.responseBody?.error).toBeUndefined();
    expect(put.body).toMatchObject({ status: 'success', context: { appServerStatusCode: ['200'] } });
    const again = await viaDevProxy('PUT', `/api/v1/settings?${q}`, { body: { ...settings, idempotencyKey: 'dev-proxy-1' } });
    expect(again.body.responseBody).toEqual(put.body.responseBody);
    const me = await viaDevProxy('GET', `/api/v1/me?${q}`);
    expect(me.body).toMatchObject({ status: 'success', responseBody: { userId: USER } });
  });

  test('a URL naming a portal without the app comes back as the backend’s 403', async () => {
    const r = await viaDevProxy('GET', `/api/v1/settings?portalId=999&userId=${USER}`);
    expect(r.body).toMatchObject({ status: 'error', context: { appServerStatusCode: ['403'] } });
  });

  // Every call the card, the settings page and the app pages make (their api modules), with the
  // shapes they send: the dev proxy must forward each and the backend must accept the signature it
  // computed over the local URL. Whether the call then succeeds depends on data (a 404 for an
  // unknown conversation is the backend's answer too); a refused signature (401) or a request the
  // proxy refuses (400 before the backend) is the failure this guards against.
  const key = (n: string) => ({ idempotencyKey: `dev-proxy-every-${n}` });
  const EVERY_CALL: [string, string, object | null][] = [
    ['GET', '/api/v1/contacts/5/conversation', null],
    ['GET', '/api/v1/contacts/5/conversation?before=c%201', null],
    ['POST', '/api/v1/contacts/5/messages', { text: 'hola', ...key('msg') }],
    ['POST', '/api/v1/contacts/5/template-messages', { phoneNumberId: 'pn', templateName: 't', language: 'es', ...key('tpl-msg') }],
    ['POST', '/api/v1/contacts/5/upload-links', { ...key('upload') }],
    ['POST', '/api/v1/conversations/conv_1/assign', { agentId: 'a', ...key('assign') }],
    ['POST', '/api/v1/conversations/conv_1/transfer', { agentId: 'a', ...key('transfer') }],
    ['POST', '/api/v1/conversations/conv_1/resolve', { ...key('resolve') }],
    ['GET', '/api/v1/me', null],
    ['GET', '/api/v1/owners', null],
    ['GET', '/api/v1/agents', null],
    ['PUT', '/api/v1/agents', { agents: [], ...key('agents') }],
    ['GET', '/api/v1/settings', null],
    ['GET', '/api/v1/whatsapp-numbers', null],
    ['POST', '/api/v1/whatsapp-numbers', { phoneNumberId: 'x', ...key('number') }],
    ['PATCH', '/api/v1/whatsapp-numbers/x', { label: 'Ventas', ...key('number-patch') }],
    ['GET', '/api/v1/templates?phoneNumberId=x&status=all', null],
    ['POST', '/api/v1/templates', { phoneNumberId: 'x', name: 't', ...key('tpl') }],
    ['DELETE', '/api/v1/templates/t?phoneNumberId=x', { ...key('tpl-del') }],
    ['POST', '/api/v1/templates/sample-links', { phoneNumberId: 'x', format: 'IMAGE', ...key('tpl-sample') }],
    ['GET', '/api/v1/templates/samples/s1', null],
    ['GET', '/api/v1/campaigns', null],
    ['POST', '/api/v1/campaigns', { name: 'c', ...key('campaign') }],
    ['POST', '/api/v1/campaigns/1/pause', { ...key('campaign-pause') }],
    ['POST', '/api/v1/campaigns/audiences', { source: 'csv', phoneNumberId: 'x', templateName: 't', language: 'es', ...key('audience') }],
    ['GET', '/api/v1/campaigns/audiences/1', null],
    ['GET', '/api/v1/hubspot-lists?q=vip', null],
    ['GET', '/api/v1/reports/conversations?from=2026-11-01&to=2026-11-30', null],
    ['POST', '/api/v1/reports/exports', { from: '2026-11-01', to: '2026-11-30', ...key('export') }],
    ['GET', '/api/v1/usage', null],
  ];

  test.each(EVERY_CALL)('%s %s reaches the backend with a signature it accepts', async (method, pathAndQuery, body) => {
    const sep = pathAndQuery.includes('?') ? '&' : '?';
    const r = await viaDevProxy(method, `${pathAndQuery}${sep}${q}`, body ? { body } : {});
    const code = r.body.context?.appServerStatusCode?.[0];
    // The proxy answered with what the backend said (not a 400 of its own) …
    expect(code).toBeDefined();
    // … and the backend verified HubSpot's signature over the local URL.
    expect(code).not.toBe('401');
    expect(Number(code)).toBeLessThan(500);
  });
});
