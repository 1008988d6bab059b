// The Campaigns section inside the app pages, as HubSpot runs it: the page's `actions` reach the view
// (the upload opens HubSpot's iframe modal) and every call goes through hubspot.fetch, the key in the body.
import { describe, expect, it, vi } from 'vitest';

const { fetchMock } = vi.hoisted(() => ({ fetchMock: vi.fn() }));
vi.mock('@hubspot/ui-extensions', async (orig) => {
  const m = await orig<typeof import('@hubspot/ui-extensions')>();
  return { ...m, hubspot: { ...m.hubspot, fetch: fetchMock } };
});

import { Button, Input, Text } from '@hubspot/ui-extensions';
import { createRenderer } from '@hubspot/ui-extensions/testing';
import { AppPages } from '../AppPages';
import { createBackend } from '../backend';
import { fakeFetch } from '../pagesTestSupport';

const UPLOAD = 'https://api.test/upload/audience/abc.1785000000000.sig';
const AUDIENCE = { id: 9, source: 'csv', total: 0, excluded: {}, listName: null, filename: null, progress: null, error: null };

describe('app pages: Campaigns', () => {
  it('opens the CSV upload page in HubSpot’s iframe modal and creates the campaign from the uploaded audience', async () => {
    let uploaded = false;
    const f = fakeFetch({
      'GET /whatsapp-numbers': { status: 200, body: { numbers: [{ phoneNumberId: '111', label: 'Ventas' }] } },
      'GET /campaigns': { status: 200, body: { campaigns: [] } },
      'POST /campaigns/audiences': { status: 201, body: { audience: { ...AUDIENCE, status: 'awaiting_upload' }, upload: { url: UPLOAD, expiresAt: '2026-07-01T15:10:00Z' } } },
      'GET /campaigns/audiences/9': () => ({ status: 200, body: { audience: { ...AUDIENCE, status: uploaded ? 'ready' : 'awaiting_upload', total: 2, filename: 'agosto.csv' } } }),
      'POST /campaigns': { status: 201, body: { campaign: { id: 1, name: 'Agosto', status: 'running', templateName: 'promo', scheduledAt: null, startedAt: null, finishedAt: null, counts: { total: 2, pending: 2, sent: 0, delivered: 0, read: 0, failed: 0, skipped: 0 } }, warnings: [] } },
    });
    fetchMock.mockImplementation((url: string, init: { method: string; body?: Record<string, unknown> }) => f.fetch(url, { timeout: 15_000, ...init } as never));
    const openIframeModal = vi.fn();
    const r = createRenderer('pages');
    r.mocks.setPageLocation({ path: '/campaigns', params: {} });
    const ctx = { portal: { id: 123 }, user: { id: 1, locale: 'es' }, variables: { apiBaseUrl: 'https://api.test' } };
    r.render(<AppPages backend={{ ...createBackend(ctx, f.fetch, () => '2026-07-01'), actions: { openIframeModal } }} />);
    await r.waitFor(() => expect(r.maybeFindByTestId(Button, 'upload-csv')).not.toBeNull());
    const input = (name: string) => r.findAll(Input).find((i) => i.props.name === name)!;
    input('name').trigger('onChange', 'Agosto' as never);
    input('templateName').trigger('onChange', 'promo' as never);
    input('language').trigger('onChange', 'es' as never);
    r.findByTestId(Button, 'upload-csv').trigger('onClick');
    await r.waitFor(() => expect(openIframeModal).toHaveBeenCalledTimes(1));
    expect(openIframeModal.mock.calls[0]![0]).toMatchObject({ uri: UPLOAD });
    const prepare = f.calls.find((c) => c.method === 'POST' && c.url.pathname === '/api/v1/campaigns/audiences')!;
    expect(prepare.body).toMatchObject({ source: 'csv', phoneNumberId: '111', templateName: 'promo', language: 'es' });
    expect(prepare.body!.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(prepare.headers).toBeUndefined();

    uploaded = true;
    (openIframeModal.mock.calls[0]![1] as () => void)();
    await r.waitFor(() => expect(r.findByTestId(Text, 'audience-status').text).toBe('2 recipients ready from agosto.csv.'));
    r.findByTestId(Button, 'create-campaign').trigger('onClick');
    await r.waitFor(() => expect(f.calls.some((c) => c.method === 'POST' && c.url.pathname === '/api/v1/campaigns')).toBe(true));
    const create = f.calls.find((c) => c.method === 'POST' && c.url.pathname === '/api/v1/campaigns')!;
    expect(create.body).toMatchObject({ name: 'Agosto', phoneNumberId: '111', audienceId: 9, optInAttested: false });
  });
});
