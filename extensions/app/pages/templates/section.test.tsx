// The Templates section as the app pages mount it: HubSpot's actions come from the page's backend
// provider, the calls go through hubspot.fetch (signed) with the idempotency key in the body.
import { describe, expect, it, vi } from 'vitest';

const { fetchMock } = vi.hoisted(() => ({ fetchMock: vi.fn() }));
vi.mock('@hubspot/ui-extensions', async (orig) => {
  const m = await orig<typeof import('@hubspot/ui-extensions')>();
  return { ...m, hubspot: { ...m.hubspot, fetch: fetchMock } };
});

import { Button, Input, Select, Table, Text, TextArea } from '@hubspot/ui-extensions';
import { createRenderer } from '@hubspot/ui-extensions/testing';
import { BackendProvider, createBackend } from '../backend';
import { TemplatesSection } from './TemplatesSection';

const fire = (node: { trigger: unknown }, event: string, arg?: unknown) => (node.trigger as (e: string, a?: unknown) => void)(event, arg);
const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('Templates section in the app pages', () => {
  it('opens the upload page in HubSpot’s iframe modal and submits the template with the uploaded example', async () => {
    let uploaded = false;
    const calls: { method: string; url: URL; body?: Record<string, unknown> }[] = [];
    fetchMock.mockImplementation(async (url: string, init: { method: string; body?: Record<string, unknown> }) => {
      const u = new URL(url);
      calls.push({ method: init.method, url: u, body: init.body });
      const route = `${init.method} ${u.pathname}`;
      if (route === 'GET /api/v1/whatsapp-numbers') return json(200, { numbers: [{ phoneNumberId: '111', label: 'Soporte' }] });
      if (route === 'GET /api/v1/templates') return json(200, { templates: [] });
      if (route === 'POST /api/v1/templates/sample-links') {
        return json(201, { sample: { id: 's9', format: 'VIDEO', state: 'waiting', filename: null, mimeType: null, sizeBytes: null }, url: 'https://api.test/template-sample/s9.1.sig', expiresAt: '2030-01-01T00:00:00Z' });
      }
      if (route === 'GET /api/v1/templates/samples/s9') {
        return json(200, { sample: { id: 's9', format: 'VIDEO', state: uploaded ? 'uploaded' : 'waiting', filename: uploaded ? 'demo.mp4' : null, mimeType: 'video/mp4', sizeBytes: 2_000_000 } });
      }
      if (route === 'POST /api/v1/templates') return json(201, { template: { name: 'video_demo', language: 'es', category: 'MARKETING', status: 'PENDING', header: { format: 'VIDEO', text: null }, body: 'x', footer: null, buttons: [] } });
      return json(404, { error: { code: 'NOT_FOUND', message: route } });
    });
    const openIframeModal = vi.fn();
    const ctx = { portal: { id: 123 }, user: { id: 1 }, variables: { apiBaseUrl: 'https://api.test' } };
    const backend = { ...createBackend(ctx, fetchMock as never), actions: { openIframeModal } };
    const r = createRenderer('pages');
    r.render(
      <BackendProvider backend={backend}>
        <TemplatesSection />
      </BackendProvider>,
    );
    await r.waitFor(() => expect(r.maybeFindByTestId(Text, 'templates-empty')).not.toBeNull());
    expect(r.maybeFind(Table)).toBeNull();
    fire(r.findByTestId(Input, 'tpl-name'), 'onChange', 'video_demo');
    fire(r.findByTestId(Select, 'tpl-category'), 'onChange', 'MARKETING');
    fire(r.findByTestId(TextArea, 'tpl-body'), 'onChange', 'Mira cómo funciona tu equipo nuevo en este video.');
    fire(r.findByTestId(Select, 'tpl-header-format'), 'onChange', 'VIDEO');
    await r.waitFor(() => expect(r.maybeFindByTestId(Button, 'tpl-header-upload')).not.toBeNull());
    fire(r.findByTestId(Button, 'tpl-header-upload'), 'onClick');
    await r.waitFor(() => expect(openIframeModal).toHaveBeenCalledTimes(1));
    const link = calls.find((c) => c.url.pathname === '/api/v1/templates/sample-links')!;
    expect(link.body).toEqual({ phoneNumberId: '111', format: 'VIDEO', idempotencyKey: expect.any(String) });
    expect(Object.fromEntries(link.url.searchParams)).toEqual({ portalId: '123', userId: '1' });
    expect(openIframeModal.mock.calls[0]![0]).toMatchObject({ uri: 'https://api.test/template-sample/s9.1.sig' });

    uploaded = true;
    (openIframeModal.mock.calls[0]![1] as () => void)();
    await r.waitFor(() => expect(r.findByTestId(Text, 'tpl-header-sample').text).toBe('Example video: demo.mp4 (1.9 MB)'));
    fire(r.findByTestId(Button, 'tpl-submit'), 'onClick');
    await r.waitFor(() => expect(calls.some((c) => c.method === 'POST' && c.url.pathname === '/api/v1/templates')).toBe(true));
    const created = calls.find((c) => c.method === 'POST' && c.url.pathname === '/api/v1/templates')!;
    expect(created.body).toMatchObject({ name: 'video_demo', category: 'MARKETING', headerSampleId: 's9', components: [{ type: 'HEADER', format: 'VIDEO' }, { type: 'BODY' }] });
  });
});
