import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHubSpotSimulator } from '../../../simulators/hubspot/index';
import { extensionFetch, serveLocal } from '../../../simulators/hubspot/extension-fetch';

const { fetchMock } = vi.hoisted(() => ({ fetchMock: vi.fn() }));
vi.mock('@hubspot/ui-extensions', async (orig) => {
  const m = await orig<typeof import('@hubspot/ui-extensions')>();
  return { ...m, hubspot: { ...m.hubspot, fetch: fetchMock } };
});

import { ApiError, DEFAULT_API_BASE_URL, buildUrl, createCardApi } from './api';
import { apiError, createFakeBackend, ok, type FakeBackend } from './fakeBackend';

const ctx = { portal: { id: 777 }, user: { id: 42 }, variables: { apiBaseUrl: 'https://api.test.example/' } };
let backend: FakeBackend;
let local: Awaited<ReturnType<typeof serveLocal>>;
const hubspotSim = createHubSpotSimulator({ clientId: 'card-test', clientSecret: 'card-test-secret' });

// Every call goes through the HubSpot simulator's proxy (HubSpot's rules) to a loopback server
// in front of the fake backend, so what the fake backend records is what our backend would get.
beforeEach(async () => {
  backend = createFakeBackend();
  local = await serveLocal(async (req) => {
    const r = await backend.fetch(req.url.replace(local.origin, 'https://api.test.example'), { method: req.method, body: req.body as Record<string, unknown> });
    return { status: r.status, body: await r.json().catch(() => undefined) };
  });
  fetchMock.mockReset();
  fetchMock.mockImplementation(
    extensionFetch(hubspotSim.proxyFetch, { portalId: 777, userId: 42, origins: { 'https://api.test.example': local.origin } }),
  );
});
afterEach(() => local.close());

describe('card api module (the only caller of hubspot.fetch)', () => {
  it('builds URLs from context.variables.apiBaseUrl with portalId and userId last', () => {
    expect(buildUrl(ctx, '/contacts/5/conversation', { before: 'c 1' })).toBe(
      'https://api.test.example/api/v1/contacts/5/conversation?before=c+1&portalId=777&userId=42',
    );
    expect(buildUrl({ portal: { id: 1 }, user: { id: 2 } }, '/me')).toBe(
      `${DEFAULT_API_BASE_URL}/api/v1/me?portalId=1&userId=2`,
    );
  });

  it('GETs without a body or an idempotency key', async () => {
    backend.on('GET', '/api/v1/contacts/5/conversation', ok({ contact: {}, conversation: null, messages: [], nextCursor: null }));
    await createCardApi(ctx).getConversation(5);
    const [url, opts] = fetchMock.mock.calls[0];
    expect(url).toBe('https://api.test.example/api/v1/contacts/5/conversation?portalId=777&userId=42');
    expect(opts.method).toBe('GET');
    expect(opts.body).toBeUndefined();
    expect(opts.headers).toBeUndefined();
  });

  it('POSTs plain-object bodies with a client-generated idempotencyKey in the body and no header', async () => {
    backend.on('POST', '/api/v1/contacts/5/messages', ok({ message: { id: 'm' } }, 201));
    const api = createCardApi(ctx);
    await api.sendMessage(5, 'hola', { idempotencyKey: 'k-1' });
    await api.sendMessage(5, 'hola');
    const [a, b] = backend.calls('POST', '/api/v1/contacts/5/messages');
    expect(a.body).toEqual({ text: 'hola' });
    expect(a.idempotencyKey).toBe('k-1');
    expect(b.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(b.idempotencyKey).not.toBe('k-1');
    expect(fetchMock.mock.calls.every(([, init]) => init.headers === undefined)).toBe(true);
  });

  it('a 5xx is retried once by the proxy with the same idempotencyKey', async () => {
    let n = 0;
    backend.on('POST', '/api/v1/conversations/c1/resolve', () => (++n === 1 ? { status: 503 } : ok({ conversation: { id: 'c1' } })));
    await createCardApi(ctx).resolve('c1', 'Done', { idempotencyKey: 'k-9' });
    expect(backend.calls('POST', '/api/v1/conversations/c1/resolve').map((r) => r.idempotencyKey)).toEqual(['k-9', 'k-9']);
  });

  it('sends every endpoint to the documented path and body', async () => {
    backend.on('POST', /.*/, ok({ conversation: { id: 'c' }, message: { id: 'm' }, customerMessage: null }));
    backend.on('GET', /.*/, ok({ templates: [], numbers: [], agents: [] }));
    const api = createCardApi(ctx);
    await api.sendTemplate(5, { phoneNumberId: 'p1', templateName: 't', language: 'es', parameters: ['a'] });
    await api.listTemplates('p1');
    await api.listNumbers();
    await api.listAgents();
    await api.getMe();
    await api.getSettings();
    await api.assign('c1', 'ag');
    await api.transfer('c1', 'ag', '  ');
    await api.transfer('c1', 'ag', 'hola');
    await api.resolve('c1', 'Done');
    expect(backend.requests.map((r) => `${r.method} ${r.path} ${JSON.stringify(r.body ?? null)}`)).toEqual([
      'POST /api/v1/contacts/5/template-messages {"phoneNumberId":"p1","templateName":"t","language":"es","parameters":["a"]}',
      'GET /api/v1/templates null',
      'GET /api/v1/whatsapp-numbers null',
      'GET /api/v1/agents null',
      'GET /api/v1/me null',
      'GET /api/v1/settings null',
      'POST /api/v1/conversations/c1/assign {"agentId":"ag"}',
      'POST /api/v1/conversations/c1/transfer {"agentId":"ag"}',
      'POST /api/v1/conversations/c1/transfer {"agentId":"ag","message":"hola"}',
      'POST /api/v1/conversations/c1/resolve {"label":"Done"}',
    ]);
    expect(backend.requests[1].query).toEqual({ phoneNumberId: 'p1', portalId: '777', userId: '42' });
    expect(backend.requests.every((r) => r.query.portalId === '777' && r.query.userId === '42')).toBe(true);
  });

  it('turns {"error":{code,message,details}} into a typed ApiError', async () => {
    backend.on(
      'POST',
      '/api/v1/contacts/5/template-messages',
      apiError(422, 'TEMPLATE_PARAMS', 'Wrong count', { 'parameters.0': 'bad' }),
    );
    const e = await createCardApi(ctx)
      .sendTemplate(5, { phoneNumberId: 'p', templateName: 't', language: 'es', parameters: [] })
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ApiError);
    expect(e).toMatchObject({ code: 'TEMPLATE_PARAMS', message: 'Wrong count', status: 422, details: { 'parameters.0': 'bad' } });
  });

  it('maps bodies without an error object, and network failures', async () => {
    backend.on('GET', '/api/v1/me', { status: 502 });
    await expect(createCardApi(ctx).getMe()).rejects.toMatchObject({ code: 'HTTP_502', status: 502 });
    fetchMock.mockRejectedValueOnce(new Error('offline'));
    await expect(createCardApi(ctx).getMe()).rejects.toMatchObject({ code: 'NETWORK' });
  });
});
