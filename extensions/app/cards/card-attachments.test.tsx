import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const { fetchMock } = vi.hoisted(() => ({ fetchMock: vi.fn() }));
vi.mock('@hubspot/ui-extensions', async (orig) => {
  const m = await orig<typeof import('@hubspot/ui-extensions')>();
  return { ...m, hubspot: { ...m.hubspot, fetch: fetchMock } };
});

import { Alert, Button, Flex, Select, Text } from '@hubspot/ui-extensions';
import { apiError, createFakeBackend, deferred, ok, type FakeBackend, type FakeResponse } from './fakeBackend';
import { CONTACT_ID, NOW, conversationResponse, defaultRoutes, fire, iso, mountCard, msg, unmountAll } from './cardTestSupport';
import { conversationReducer, initialConversationState } from './useConversation';

let backend: FakeBackend;
const UPLOAD_URL = 'https://api.test.example/upload/abc.1774872000000.sig';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(NOW);
  backend = createFakeBackend();
  fetchMock.mockReset();
  fetchMock.mockImplementation(backend.fetch);
  defaultRoutes(backend);
});
afterEach(async () => {
  await unmountAll();
  vi.useRealTimers();
});

async function readyCard(opts: Parameters<typeof mountCard>[0] = {}) {
  const r = mountCard(opts);
  await r.waitFor(() => expect(r.maybeFindByTestId(Flex, 'whatsapp-card')).not.toBeNull());
  return r;
}

describe('attachments through the upload page', () => {
  it('asks for a single-use upload link and opens it in an iframe modal; closing it refreshes the thread', async () => {
    backend.on('POST', `/api/v1/contacts/${CONTACT_ID}/upload-links`, ok({ url: UPLOAD_URL, expiresAt: iso(NOW + 600_000) }, 201));
    const openIframeModal = vi.fn();
    const r = await readyCard({ actions: { openIframeModal } });
    r.findByTestId(Button, 'attach-file').trigger('onClick');
    await vi.waitFor(() => expect(openIframeModal).toHaveBeenCalledTimes(1));
    const [payload, onClose] = openIframeModal.mock.calls[0]!;
    expect(payload).toMatchObject({ uri: UPLOAD_URL, title: 'Send an attachment on WhatsApp' });
    expect(backend.calls('POST', `/api/v1/contacts/${CONTACT_ID}/upload-links`)).toHaveLength(1);

    // The page sent the file; the card shows it once the modal closes.
    const after = conversationResponse();
    after.messages.push(msg({ id: 'f1', direction: 'out', type: 'document', text: null, status: 'accepted', sentAt: iso(NOW), media: { url: 'https://x/media/1', mimeType: 'application/pdf', filename: 'factura.pdf' } }));
    backend.on('GET', `/api/v1/contacts/${CONTACT_ID}/conversation`, ok(after));
    (onClose as () => void)();
    await r.waitFor(() => expect(r.findByTestId(Flex, 'message-f1')).toBeTruthy());
  });

  it('shows why the upload page could not be opened', async () => {
    backend.on('POST', `/api/v1/contacts/${CONTACT_ID}/upload-links`, apiError(403, 'FORBIDDEN', 'You are not an agent of this portal.'));
    const r = await readyCard({ actions: { openIframeModal: vi.fn() } });
    r.findByTestId(Button, 'attach-file').trigger('onClick');
    await r.waitFor(() => expect(r.maybeFindByTestId(Alert, 'composer-error')).not.toBeNull());
    expect(r.findByTestId(Alert, 'composer-error').text).toContain('You are not an agent of this portal.');
  });

  it('cannot attach while the window is closed', async () => {
    const c = conversationResponse();
    c.conversation = { ...c.conversation!, windowExpiresAt: iso(NOW - 60_000) };
    defaultRoutes(backend, c);
    const r = await readyCard({ actions: { openIframeModal: vi.fn() } });
    expect(r.findByTestId(Button, 'attach-file').props.disabled).toBe(true);
  });
});

describe('stale poll answers', () => {
  it('a poll answer asked for before a transfer never puts the old assignee back', async () => {
    backend.on('POST', '/api/v1/conversations/conv_1/transfer', () =>
      ok({ conversation: { ...conversationResponse().conversation!, assignee: { agentId: 'ag_2', ownerId: '9002', name: 'Carlos Ruiz' } }, customerMessage: null }),
    );
    const r = await readyCard({ pollIntervalMs: 50 });
    // The next poll hangs (slow network) and will answer with the state from before the transfer.
    const slow = deferred<FakeResponse>();
    backend.on('GET', `/api/v1/contacts/${CONTACT_ID}/conversation`, () => slow.promise);
    vi.useRealTimers();
    await r.waitFor(() => expect(backend.calls('GET', `/api/v1/contacts/${CONTACT_ID}/conversation`).length).toBeGreaterThan(1));
    r.findByTestId(Button, 'transfer').trigger('onClick');
    await r.waitFor(() => expect(r.maybeFindByTestId(Select, 'agent-select')).not.toBeNull());
    fire(r.findByTestId(Select, 'agent-select'), 'onChange', 'ag_2');
    await r.waitFor(() => expect(r.findByTestId(Button, 'confirm-transfer').props.disabled).toBe(false));
    r.findByTestId(Button, 'confirm-transfer').trigger('onClick');
    await r.waitFor(() => expect(r.findByTestId(Text, 'assignee').text).toBe('Carlos Ruiz'));
    backend.on('GET', `/api/v1/contacts/${CONTACT_ID}/conversation`, ok(conversationResponse({ conversation: { ...conversationResponse().conversation!, assignee: { agentId: 'ag_2', ownerId: '9002', name: 'Carlos Ruiz' } } })));
    slow.resolve(ok(conversationResponse()) as FakeResponse); // still says Ana Pérez
    await r.waitFor(() => expect(backend.calls('GET', `/api/v1/contacts/${CONTACT_ID}/conversation`).length).toBeGreaterThan(3));
    expect(r.findByTestId(Text, 'assignee').text).toBe('Carlos Ruiz');
  });

  it('the reducer drops a poll answer from before a local change and takes one from after', () => {
    const loaded = conversationReducer(initialConversationState, { type: 'loaded', r: conversationResponse() });
    const before = loaded.version;
    const sent = conversationReducer(loaded, { type: 'local', messages: [msg({ id: 'new', direction: 'out', sentAt: iso(NOW) })], conversation: { ...loaded.conversation!, status: 'pending' } });
    const stale = conversationReducer(sent, { type: 'polled', r: conversationResponse(), version: before });
    expect(stale).toBe(sent);
    const fresh = conversationReducer(sent, { type: 'polled', r: conversationResponse(), version: sent.version });
    expect(fresh.conversation!.status).toBe('open');
    expect(fresh.messages.map((m) => m.id)).toEqual(['m1', 'm2', 'new']);
  });

  it('loading → ready → error states', () => {
    const s1 = conversationReducer(initialConversationState, { type: 'load' });
    expect(s1.phase).toBe('loading');
    const s2 = conversationReducer(s1, { type: 'loaded', r: conversationResponse() });
    expect(s2.phase).toBe('ready');
    const s3 = conversationReducer(s2, { type: 'failed', error: new (class extends Error { code = 'X'; status = 500; details = {}; })('boom') as never });
    expect(s3.phase).toBe('error');
  });
});
