import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const { fetchMock } = vi.hoisted(() => ({ fetchMock: vi.fn() }));
vi.mock('@hubspot/ui-extensions', async (orig) => {
  const m = await orig<typeof import('@hubspot/ui-extensions')>();
  return { ...m, hubspot: { ...m.hubspot, fetch: fetchMock } };
});

import {
  Alert,
  Button,
  EmptyState,
  ErrorState,
  Flex,
  Link,
  LoadingSpinner,
  StatusTag,
  Tag,
  Text,
  TextArea,
} from '@hubspot/ui-extensions';
import { apiError, createFakeBackend, deferred, ok, type FakeBackend, type FakeResponse } from './fakeBackend';
import {
  BASE,
  CONTACT_ID,
  H,
  NOW,
  conversationResponse,
  defaultRoutes,
  iso,
  mountCard,
  msg,
  textOf,
  unmountAll,
} from './cardTestSupport';

let backend: FakeBackend;
const CONV_PATH = `/api/v1/contacts/${CONTACT_ID}/conversation`;

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

async function ready(r: ReturnType<typeof mountCard>) {
  await r.waitFor(() => expect(r.maybeFindByTestId(Flex, 'whatsapp-card')).not.toBeNull());
}

describe('loading and error states', () => {
  it('shows a spinner while the conversation loads, then the card', async () => {
    const d = deferred<FakeResponse>();
    backend.on('GET', CONV_PATH, () => d.promise);
    const r = mountCard();
    expect(r.findByTestId(LoadingSpinner, 'card-loading').props.label).toMatch(/Loading the WhatsApp conversation/);
    d.resolve(ok(conversationResponse()));
    await ready(r);
    expect(r.maybeFind(LoadingSpinner)).toBeNull();
  });

  it('asks the backend with portalId and userId from the context, on the configured base URL', async () => {
    const r = mountCard();
    await ready(r);
    const req = backend.last('GET', CONV_PATH)!;
    expect(req.origin).toBe(BASE);
    expect(req.query).toEqual({ portalId: '123', userId: '1' });
    expect(backend.last('GET', '/api/v1/settings')!.query).toEqual({ portalId: '123', userId: '1' });
    expect(backend.last('GET', '/api/v1/me')).toBeDefined();
  });

  it('shows an error state with the backend message and retries', async () => {
    backend.on('GET', CONV_PATH, apiError(500, 'INTERNAL', 'The database is not answering.'));
    const r = mountCard();
    await r.waitFor(() => expect(r.maybeFindByTestId(ErrorState, 'card-error')).not.toBeNull());
    const err = r.findByTestId(ErrorState, 'card-error');
    expect(err.props.title).toBe("Couldn't load the WhatsApp conversation");
    expect(err.find(Text).text).toBe('The database is not answering.');

    backend.on('GET', CONV_PATH, ok(conversationResponse()));
    r.findByTestId(Button, 'retry').trigger('onClick');
    await ready(r);
    expect(backend.calls('GET', CONV_PATH)).toHaveLength(2);
  });

  it('still works when settings and /me fail (no quick replies, no assign to me)', async () => {
    backend.on('GET', '/api/v1/settings', apiError(500, 'INTERNAL', 'x'));
    backend.on('GET', '/api/v1/me', apiError(500, 'INTERNAL', 'x'));
    const r = mountCard();
    await ready(r);
    expect(r.findByTestId(Text, 'assignee').text).toBe('Ana Pérez');
  });
});

describe('header', () => {
  it('shows the WhatsApp number, consent, status, assignee and the window countdown', async () => {
    const r = mountCard();
    await ready(r);
    expect(r.findByTestId(Text, 'wa-number').text).toBe('+573001234567');
    expect(r.findByTestId(Tag, 'consent-tag').text).toBe('Consent granted');
    expect(r.findByTestId(Tag, 'consent-tag').props.variant).toBe('success');
    expect(r.maybeFindByTestId(Tag, 'opted-out-tag')).toBeNull();
    expect(r.findByTestId(StatusTag, 'status-tag').text).toBe('Open');
    expect(r.findByTestId(Text, 'assignee').text).toBe('Ana Pérez');
    const cd = r.findByTestId(StatusTag, 'window-countdown');
    expect(cd.text).toBe('23 h 0 min left to reply');
    expect(cd.props.variant).toBe('success');
    expect(r.maybeFindByTestId(Alert, 'window-urgent')).toBeNull();
    expect(r.maybeFindByTestId(Alert, 'window-closed')).toBeNull();
  });

  it('shows "Unassigned" and the pending status', async () => {
    const c = conversationResponse();
    c.conversation = { ...c.conversation!, assignee: null, status: 'pending' };
    defaultRoutes(backend, c);
    const r = mountCard();
    await ready(r);
    expect(r.findByTestId(Text, 'assignee').text).toBe('Unassigned');
    expect(r.findByTestId(StatusTag, 'status-tag').text).toBe('Pending (waiting on customer)');
  });
});

describe('reply window countdown with a controlled clock', () => {
  it('turns urgent under 2 hours and closes with a "template needed" banner', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'] });
    vi.setSystemTime(NOW);
    const c = conversationResponse();
    c.conversation = { ...c.conversation!, windowExpiresAt: iso(NOW + 2 * H + 10 * 60000) };
    defaultRoutes(backend, c);
    const r = mountCard();
    await ready(r);
    expect(r.findByTestId(StatusTag, 'window-countdown').text).toBe('2 h 10 min left to reply');
    expect(r.findByTestId(StatusTag, 'window-countdown').props.variant).toBe('success');

    // 11 minutes later: 1 h 59 min left → urgent style.
    vi.advanceTimersByTime(11 * 60000);
    await r.waitFor(() => expect(r.findByTestId(StatusTag, 'window-countdown').props.variant).toBe('danger'));
    expect(r.findByTestId(StatusTag, 'window-countdown').text).toBe('Urgent: 1 h 59 min left to reply');
    expect(r.findByTestId(Alert, 'window-urgent').props.title).toBe('Reply soon');

    // Past the deadline: closed, banner with a button that opens the template sender.
    vi.advanceTimersByTime(2 * H);
    await r.waitFor(() => expect(r.maybeFindByTestId(Alert, 'window-closed')).not.toBeNull());
    expect(r.findByTestId(StatusTag, 'window-countdown').text).toBe('Window closed');
    expect(r.findByTestId(Alert, 'window-closed').props.title).toBe('Template needed');
    expect(r.maybeFindByTestId(Alert, 'window-urgent')).toBeNull();
    expect(r.findByTestId(Button, 'send-reply').props.disabled).toBe(true);
  });

  it('the countdown and "template needed" change exactly on the minute, not on the next poll tick', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'] });
    vi.setSystemTime(NOW);
    const c = conversationResponse();
    c.conversation = { ...c.conversation!, windowExpiresAt: iso(NOW + 3 * H + 30_000) };
    defaultRoutes(backend, c);
    const r = mountCard({ pollIntervalMs: 3_600_000 });
    await ready(r);
    expect(r.findByTestId(StatusTag, 'window-countdown').text).toBe('3 h 0 min left to reply');
    vi.advanceTimersByTime(31_000); // 2 h 59 min 59 s left
    await r.waitFor(() => expect(r.findByTestId(StatusTag, 'window-countdown').text).toBe('2 h 59 min left to reply'));
    vi.advanceTimersByTime(3 * H + 1_000); // 1 s past the deadline (3 h 30 s after the start)
    await r.waitFor(() => expect(r.maybeFindByTestId(Alert, 'window-closed')).not.toBeNull());
    expect(r.findByTestId(Alert, 'window-closed').props.title).toBe('Template needed');
  });

  it('uses the server urgent flag and the configured alert threshold', async () => {
    const c = conversationResponse();
    c.conversation = { ...c.conversation!, windowExpiresAt: iso(NOW + 5 * H), urgent: true };
    defaultRoutes(backend, c);
    const r = mountCard();
    await ready(r);
    expect(r.findByTestId(StatusTag, 'window-countdown').props.variant).toBe('danger');
  });

  it('respects windowAlertMinutes from the settings (60 → 90 min left is not urgent)', async () => {
    const c = conversationResponse();
    c.conversation = { ...c.conversation!, windowExpiresAt: iso(NOW + 90 * 60000) };
    defaultRoutes(backend, c);
    backend.on('GET', '/api/v1/settings', ok({ quickReplies: [], resolutionLabels: [], windowAlertMinutes: 60 }));
    const r = mountCard();
    await ready(r);
    await r.waitFor(() => expect(r.findByTestId(StatusTag, 'window-countdown').props.variant).toBe('success'));
    expect(r.findByTestId(StatusTag, 'window-countdown').text).toBe('1 h 30 min left to reply');
  });

  it('closed window: banner, composer refuses to send, and the banner opens the template sender', async () => {
    const c = conversationResponse();
    c.conversation = { ...c.conversation!, windowExpiresAt: iso(NOW - 3 * H) };
    defaultRoutes(backend, c);
    const r = mountCard();
    await ready(r);
    const banner = r.findByTestId(Alert, 'window-closed');
    expect(banner.text).toContain('The 24-hour reply window closed on');
    expect(banner.text).toContain('Send a template to reopen the conversation.');
    expect(r.findByTestId(Text, 'composer-blocked').text).toContain('window closed');

    const send = r.findByTestId(Button, 'send-reply');
    expect(send.props.disabled).toBe(true);
    send.trigger('onClick'); // even if clicked, nothing is sent
    await r.waitFor(() => expect(r.maybeFindByTestId(Alert, 'composer-error')).not.toBeNull());
    expect(r.findByTestId(Alert, 'composer-error').props.title).toBe('Template needed');
    expect(backend.calls('POST', /messages$/)).toHaveLength(0);

    r.findByTestId(Button, 'banner-send-template').trigger('onClick');
    await r.waitFor(() => expect(backend.calls('GET', '/api/v1/whatsapp-numbers')).toHaveLength(1));
  });

  it('a conversation whose customer never wrote (windowExpiresAt null) counts as closed', async () => {
    const c = conversationResponse();
    c.conversation = { ...c.conversation!, windowExpiresAt: null };
    defaultRoutes(backend, c);
    const r = mountCard();
    await ready(r);
    expect(r.findByTestId(StatusTag, 'window-countdown').text).toBe('Window closed');
    expect(r.findByTestId(Alert, 'window-closed').text).toContain('has not written yet');
  });
});

describe('empty, opted-out and no-consent states', () => {
  it('empty: no WhatsApp yet → start with a template', async () => {
    defaultRoutes(
      backend,
      conversationResponse({
        contact: { waId: null, phone: '+573009998877', consent: 'granted', optedOut: false },
        conversation: null,
        messages: [],
      }),
    );
    const r = mountCard();
    await ready(r);
    const empty = r.find(EmptyState);
    expect(empty.props.title).toBe('No WhatsApp conversation yet');
    expect(r.findByTestId(Text, 'wa-number').text).toBe('+573009998877');
    expect(r.findByTestId(StatusTag, 'status-tag').text).toBe('No conversation');
    expect(r.maybeFindByTestId(Flex, 'composer')).toBeNull();
    expect(r.maybeFindByTestId(Flex, 'conversation-actions')).toBeNull();
    r.findByTestId(Button, 'start-with-template').trigger('onClick');
    await r.waitFor(() => expect(backend.calls('GET', '/api/v1/whatsapp-numbers')).toHaveLength(1));
  });

  it('empty without a phone number explains what is missing', async () => {
    defaultRoutes(
      backend,
      conversationResponse({
        contact: { waId: null, phone: null, consent: 'unknown', optedOut: false },
        conversation: null,
        messages: [],
      }),
    );
    const r = mountCard();
    await ready(r);
    expect(textOf(r.find(EmptyState))).toContain('This contact has no phone number');
    expect(r.maybeFindByTestId(Button, 'start-with-template')).toBeNull();
    expect(r.findByTestId(Text, 'wa-number').text).toBe('No phone number');
  });

  it('opted out: flag in the header, a clear alert, and the composer and template sender disabled with the reason', async () => {
    const c = conversationResponse();
    c.contact = { ...c.contact, optedOut: true };
    defaultRoutes(backend, c);
    const r = mountCard();
    await ready(r);
    expect(r.findByTestId(Tag, 'opted-out-tag').text).toBe('Opted out');
    expect(r.findByTestId(Alert, 'opted-out').props.title).toBe('Opted out of WhatsApp');
    expect(r.findByTestId(TextArea, 'reply-input').props.readOnly).toBe(true);
    expect(r.findByTestId(Button, 'send-reply').props.disabled).toBe(true);
    expect(r.findByTestId(Button, 'attach-file').props.disabled).toBe(true);
    expect(r.findByTestId(Button, 'open-template-sender').props.disabled).toBe(true);
    expect(r.findByTestId(Text, 'composer-blocked').text).toContain('opted out of WhatsApp');
    // the history is still visible
    expect(r.findByTestId(Text, 'message-text-m1').text).toBe('Hola, ¿tienen envío a Medellín?');
  });

  it('no consent yet (unknown): warning, composer disabled with the reason', async () => {
    const c = conversationResponse();
    c.contact = { ...c.contact, consent: 'unknown' };
    c.conversation = { ...c.conversation!, status: 'bot', assignee: null };
    defaultRoutes(backend, c);
    const r = mountCard();
    await ready(r);
    const a = r.findByTestId(Alert, 'no-consent');
    expect(a.props.title).toBe('No consent yet');
    expect(a.props.variant).toBe('warning');
    expect(r.findByTestId(Tag, 'consent-tag').text).toBe('No consent recorded');
    expect(r.findByTestId(StatusTag, 'status-tag').text).toBe('With the consent bot');
    expect(r.findByTestId(Button, 'send-reply').props.disabled).toBe(true);
    expect(r.findByTestId(Button, 'open-template-sender').props.disabled).toBe(true);
    expect(r.findByTestId(Text, 'composer-blocked').text).toContain('not given WhatsApp consent');
  });

  it('consent declined: danger alert and no way to start a conversation', async () => {
    defaultRoutes(
      backend,
      conversationResponse({
        contact: { waId: '573001234567', phone: '+573001234567', consent: 'declined', optedOut: false },
        conversation: null,
        messages: [],
      }),
    );
    const r = mountCard();
    await ready(r);
    expect(r.findByTestId(Alert, 'no-consent').props.title).toBe('Consent declined');
    expect(r.findByTestId(Tag, 'consent-tag').props.variant).toBe('error');
    expect(textOf(r.find(EmptyState))).toContain('once the contact has given consent');
    expect(r.maybeFindByTestId(Button, 'start-with-template')).toBeNull();
  });
});

describe('thread', () => {
  it('newest last, inbound and outbound told apart, media as links, delivery status and plain failure reason', async () => {
    defaultRoutes(
      backend,
      conversationResponse({
        messages: [
          msg({ id: 'a', direction: 'in', text: 'Hola', sentAt: iso(NOW - 5 * H) }),
          msg({
            id: 'b',
            direction: 'in',
            type: 'document',
            text: null,
            sentAt: iso(NOW - 4 * H),
            media: { url: 'https://api.test.example/media/b?sig=x', mimeType: 'application/pdf', filename: 'factura.pdf' },
          }),
          msg({ id: 'c', direction: 'out', text: 'Recibido', status: 'delivered', sentBy: 'Ana Pérez', sentAt: iso(NOW - 3 * H) }),
          msg({
            id: 'd',
            direction: 'out',
            text: '¿Algo más?',
            status: 'failed',
            error: { code: 131026, title: 'Message undeliverable', message: 'Message Undeliverable.' },
            sentAt: iso(NOW - 2 * H),
          }),
          msg({
            id: 'e',
            direction: 'in',
            type: 'image',
            text: 'foto',
            sentAt: iso(NOW - H),
            media: { url: 'https://api.test.example/media/e?sig=y', mimeType: 'image/jpeg', filename: null },
          }),
        ],
      }),
    );
    const r = mountCard();
    await ready(r);
    const order = r
      .findByTestId(Flex, 'thread')
      .findAll(Flex, (n) => String(n.props.testId ?? '').startsWith('message-'))
      .map((n) => n.props.testId);
    expect(order).toEqual(['message-a', 'message-b', 'message-c', 'message-d', 'message-e']);

    expect(r.findByTestId(Flex, 'message-a').props.justify).toBe('start');
    expect(r.findByTestId(Flex, 'message-c').props.justify).toBe('end');
    expect(r.findByTestId(Flex, 'message-a').find(Text).text).toContain('Customer');
    expect(r.findByTestId(Flex, 'message-c').find(Text).text).toContain('Ana Pérez');

    const pdf = r.findByTestId(Link, 'media-b');
    expect(pdf.props.href).toEqual({ url: 'https://api.test.example/media/b?sig=x', external: true });
    expect(pdf.text).toBe('📎 factura.pdf');
    expect(r.findByTestId(Link, 'media-e').text).toBe('📎 Open image (image/jpeg)');

    expect(r.findByTestId(StatusTag, 'delivery-c').text).toBe('Delivered');
    expect(r.maybeFindByTestId(StatusTag, 'delivery-a')).toBeNull();
    expect(r.findByTestId(StatusTag, 'delivery-d').text).toBe('Failed');
    expect(r.findByTestId(StatusTag, 'delivery-d').props.variant).toBe('danger');
    expect(r.findByTestId(Text, 'failure-d').text).toBe(
      "Not delivered: WhatsApp could not deliver it: the number may not use WhatsApp, or the customer has an old app or has not accepted WhatsApp's latest terms. (WhatsApp error 131026)",
    );
  });

  it('falls back to Meta\'s own words for an unknown error code', async () => {
    defaultRoutes(
      backend,
      conversationResponse({
        messages: [
          msg({
            id: 'x',
            direction: 'out',
            status: 'failed',
            error: { code: 999999, title: 'Weird', message: 'Something odd happened at Meta.' },
          }),
        ],
      }),
    );
    const r = mountCard();
    await ready(r);
    expect(r.findByTestId(Text, 'failure-x').text).toBe(
      'Not delivered: Something odd happened at Meta. (WhatsApp error 999999)',
    );
  });

  it('"load older" pages with ?before= and puts older messages first', async () => {
    defaultRoutes(backend, conversationResponse({ nextCursor: 'c_m1' }));
    backend.on('GET', CONV_PATH, (req) =>
      req.query.before === 'c_m1'
        ? ok(
            conversationResponse({
              messages: [
                msg({ id: 'old1', text: 'older 1', sentAt: iso(NOW - 30 * H) }),
                msg({ id: 'old2', text: 'older 2', sentAt: iso(NOW - 29 * H) }),
              ],
              nextCursor: null,
            }),
          )
        : ok(conversationResponse({ nextCursor: 'c_m1' })),
    );
    const r = mountCard();
    await ready(r);
    r.findByTestId(Button, 'load-older').trigger('onClick');
    await r.waitFor(() => expect(r.maybeFindByTestId(Flex, 'message-old1')).not.toBeNull());
    const req = backend.last('GET', CONV_PATH)!;
    expect(req.query).toEqual({ before: 'c_m1', portalId: '123', userId: '1' });
    const order = r
      .findByTestId(Flex, 'thread')
      .findAll(Flex, (n) => String(n.props.testId ?? '').startsWith('message-'))
      .map((n) => n.props.testId);
    expect(order).toEqual(['message-old1', 'message-old2', 'message-m1', 'message-m2']);
    expect(r.maybeFindByTestId(Button, 'load-older')).toBeNull();
    expect(r.findByTestId(Flex, 'thread').findAll(Text).some((t) => t.text === 'Start of the conversation')).toBe(true);
  });
});

describe('polling', () => {
  it('shows new messages and status changes every 5 s and stops when the card unmounts', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'] });
    vi.setSystemTime(NOW);
    const r = mountCard({ pollIntervalMs: 5000 });
    await ready(r);
    expect(backend.calls('GET', CONV_PATH)).toHaveLength(1);

    const c = conversationResponse();
    c.messages = [
      c.messages[0],
      { ...c.messages[1], status: 'read' },
      msg({ id: 'm3', direction: 'in', text: 'Perfecto, gracias', sentAt: iso(NOW) }),
    ];
    backend.on('GET', CONV_PATH, ok(c));
    vi.advanceTimersByTime(5000);
    await r.waitFor(() => expect(r.maybeFindByTestId(Text, 'message-text-m3')).not.toBeNull());
    expect(backend.calls('GET', CONV_PATH)).toHaveLength(2);
    expect(backend.last('GET', CONV_PATH)!.query).toEqual({ portalId: '123', userId: '1' });

    vi.advanceTimersByTime(5000);
    await r.waitFor(() => expect(backend.calls('GET', CONV_PATH)).toHaveLength(3));

    await r.unmount();
    vi.advanceTimersByTime(60000);
    await Promise.resolve();
    expect(backend.calls('GET', CONV_PATH)).toHaveLength(3);
  });

  it('backs off after RATE_LIMITED and says it is retrying', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'] });
    vi.setSystemTime(NOW);
    const r = mountCard({ pollIntervalMs: 5000 });
    await ready(r);
    backend.on('GET', CONV_PATH, apiError(429, 'RATE_LIMITED', 'Too many requests.'));
    vi.advanceTimersByTime(5000);
    await r.waitFor(() => expect(r.maybeFindByTestId(Text, 'poll-warning')).not.toBeNull());
    expect(r.findByTestId(Text, 'poll-warning').text).toContain('Too many requests.');
    expect(backend.calls('GET', CONV_PATH)).toHaveLength(2);
    vi.advanceTimersByTime(15000); // three skipped ticks
    await Promise.resolve();
    expect(backend.calls('GET', CONV_PATH)).toHaveLength(2);
    backend.on('GET', CONV_PATH, ok(conversationResponse()));
    vi.advanceTimersByTime(5000);
    await r.waitFor(() => expect(r.maybeFindByTestId(Text, 'poll-warning')).toBeNull());
    expect(backend.calls('GET', CONV_PATH)).toHaveLength(3);
  });
});
