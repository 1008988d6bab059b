import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHubSpotSimulator } from '../../../simulators/hubspot/index';
import { extensionFetch, serveLocal } from '../../../simulators/hubspot/extension-fetch';

const { fetchMock } = vi.hoisted(() => ({ fetchMock: vi.fn() }));
vi.mock('@hubspot/ui-extensions', async (orig) => {
  const m = await orig<typeof import('@hubspot/ui-extensions')>();
  return { ...m, hubspot: { ...m.hubspot, fetch: fetchMock } };
});

import { ApiError, DEFAULT_API_BASE_URL, buildUrl, createSettingsApi } from './api';
import { apiError, createFakeBackend, ok, type FakeBackend } from '../cards/fakeBackend';
import { SETTINGS } from './settingsTestSupport';

const ctx = { portal: { id: 777 }, user: { id: 42 }, variables: { apiBaseUrl: 'https://api.test.example' } };
let backend: FakeBackend;
let local: Awaited<ReturnType<typeof serveLocal>>;
const hubspotSim = createHubSpotSimulator({ clientId: 'settings-test', clientSecret: 'settings-test-secret' });

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

describe('settings api module (the only caller of hubspot.fetch)', () => {
  it('uses the default base URL when the profile variable is missing', () => {
    expect(buildUrl({ portal: { id: 1 }, user: { id: 2 } }, '/settings')).toBe(
      `${DEFAULT_API_BASE_URL}/api/v1/settings?portalId=1&userId=2`,
    );
  });

  it('sends each endpoint with the documented method, path and body', async () => {
    backend.on('GET', '/api/v1/settings', ok(SETTINGS));
    backend.on('PUT', '/api/v1/settings', ok(SETTINGS));
    backend.on('GET', '/api/v1/whatsapp-numbers', ok({ numbers: [] }));
    backend.on('POST', '/api/v1/whatsapp-numbers', ok({ number: { phoneNumberId: '1' } }, 201));
    backend.on('GET', '/api/v1/agents', ok({ agents: [] }));
    backend.on('PUT', '/api/v1/agents', ok({ agents: [] }));
    backend.on('GET', '/api/v1/owners', ok({ owners: [] }));
    backend.on('GET', '/api/v1/me', ok({ userId: 42, ownerId: null, agent: null, isAdmin: true }));
    const api = createSettingsApi(ctx);
    await api.getSettings();
    await api.putSettings(SETTINGS);
    await api.listNumbers();
    await api.connectNumber({ phoneNumberId: '1', wabaId: '2', accessToken: 't', label: 'L' });
    await api.listAgents();
    await api.putAgents([]);
    await api.listOwners();
    await api.getMe();
    expect(backend.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /api/v1/settings',
      'PUT /api/v1/settings',
      'GET /api/v1/whatsapp-numbers',
      'POST /api/v1/whatsapp-numbers',
      'GET /api/v1/agents',
      'PUT /api/v1/agents',
      'GET /api/v1/owners',
      'GET /api/v1/me',
    ]);
    expect(backend.requests.every((r) => r.query.portalId === '777' && r.query.userId === '42')).toBe(true);
    expect(backend.requests[1].body).toEqual(SETTINGS);
    expect(backend.requests[3].body).toEqual({ phoneNumberId: '1', wabaId: '2', accessToken: 't', label: 'L' });
    expect(backend.requests[5].body).toEqual({ agents: [] }); // wrapped: hubspot.fetch only sends objects
    for (const i of [1, 3, 5]) expect(backend.requests[i].idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    for (const i of [0, 2, 4, 6, 7]) expect(backend.requests[i].body).toBeUndefined();
    expect(fetchMock.mock.calls.every(([, init]) => init.headers === undefined)).toBe(true);
  });

  it('parses VALIDATION details into the ApiError', async () => {
    backend.on('PUT', '/api/v1/settings', apiError(422, 'VALIDATION', 'Invalid', { 'businessHours.timeZone': 'Unknown' }));
    const e = await createSettingsApi(ctx).putSettings(SETTINGS).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ApiError);
    expect(e).toMatchObject({ code: 'VALIDATION', status: 422, details: { 'businessHours.timeZone': 'Unknown' } });
  });

  it('gives a readable message for a bare 403', async () => {
    backend.on('PUT', '/api/v1/agents', { status: 403 });
    await expect(createSettingsApi(ctx).putAgents([])).rejects.toMatchObject({
      code: 'HTTP_403',
      message: 'Only admins can change these settings.',
    });
  });
});
