import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const { fetchMock } = vi.hoisted(() => ({ fetchMock: vi.fn() }));
vi.mock('@hubspot/ui-extensions', async (orig) => {
  const m = await orig<typeof import('@hubspot/ui-extensions')>();
  return { ...m, hubspot: { ...m.hubspot, fetch: fetchMock } };
});

import { Alert, Button, Flex, Select, StatusTag, Text, TextArea } from '@hubspot/ui-extensions';
import { apiError, createFakeBackend, ok, type FakeBackend } from './fakeBackend';
import {
  AGENTS,
  CONTACT_ID,
  ME_AGENT,
  NOW,
  conversationResponse,
  defaultRoutes,
  iso,
  mountCard,
  msg,
  fire,
  textOf,
  unmountAll,
} from './cardTestSupport';
import type { Conversation } from './types';

let backend: FakeBackend;
const CALLER = { portalId: '123', userId: '1' };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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

async function readyCard() {
  const r = mountCard();
  await r.waitFor(() => expect(r.maybeFindByTestId(Flex, 'whatsapp-card')).not.toBeNull());
  return r;
}

describe('composer', () => {
  it('sends a reply: POST …/messages {text} with the caller in the query and an idempotencyKey in the body', async () => {
    backend.on('POST', `/api/v1/contacts/${CONTACT_ID}/messages`, (req) =>
      ok(
        {
          message: msg({
            id: 'm9',
            direction: 'out',
            text: String(req.body?.text),
            status: 'accepted',
            sentBy: 'Me Agent',
            sentAt: iso(NOW),
          }),
        },
        201,
      ),
    );
    const r = await readyCard();
    fire(r.findByTestId(TextArea, 'reply-input'), 'onChange', 'Claro, te ayudo.');
    await r.waitFor(() => expect(r.findByTestId(Button, 'send-reply').props.disabled).toBe(false));
    r.findByTestId(Button, 'send-reply').trigger('onClick');
    await r.waitFor(() => expect(r.maybeFindByTestId(Text, 'message-text-m9')).not.toBeNull());

    const req = backend.last('POST', `/api/v1/contacts/${CONTACT_ID}/messages`)!;
    expect(req.method).toBe('POST');
    expect(req.query).toEqual(CALLER);
    expect(req.body).toEqual({ text: 'Claro, te ayudo.' });
    expect(req.idempotencyKey).toMatch(UUID);
    expect(r.findByTestId(StatusTag, 'delivery-m9').text).toBe('Sending');
    expect(r.findByTestId(TextArea, 'reply-input').props.value).toBe('');
  });

  it('inserts quick replies for this number (and the all-numbers ones) into the draft', async () => {
    const r = await readyCard();
    await r.waitFor(() => expect(r.maybeFindByTestId(Select, 'quick-replies')).not.toBeNull());
    const options = r.findByTestId(Select, 'quick-replies').props.options.map((o) => o.label);
    expect(options).toEqual(['Greeting', 'Shipping times']); // not "Other line only"
    fire(r.findByTestId(Select, 'quick-replies'), 'onChange', 'qr2');
    await r.waitFor(() =>
      expect(r.findByTestId(TextArea, 'reply-input').props.value).toBe('Enviamos en 2 a 3 días hábiles.'),
    );
    fire(r.findByTestId(Select, 'quick-replies'), 'onChange', 'qr1');
    await r.waitFor(() =>
      expect(r.findByTestId(TextArea, 'reply-input').props.value).toBe(
        'Enviamos en 2 a 3 días hábiles.\nHola, gracias por escribirnos.',
      ),
    );
  });

  it("shows the backend's WINDOW_CLOSED message when the server refuses", async () => {
    backend.on(
      'POST',
      `/api/v1/contacts/${CONTACT_ID}/messages`,
      apiError(409, 'WINDOW_CLOSED', 'The 24-hour window closed at 11:58. Send a template to reopen the conversation.'),
    );
    const r = await readyCard();
    fire(r.findByTestId(TextArea, 'reply-input'), 'onChange', 'hola');
    await r.waitFor(() => expect(r.findByTestId(Button, 'send-reply').props.disabled).toBe(false));
    r.findByTestId(Button, 'send-reply').trigger('onClick');
    await r.waitFor(() => expect(r.maybeFindByTestId(Alert, 'composer-error')).not.toBeNull());
    const a = r.findByTestId(Alert, 'composer-error');
    expect(a.props.title).toBe('Template needed');
    expect(a.text).toBe('The 24-hour window closed at 11:58. Send a template to reopen the conversation.');
    expect(r.findByTestId(TextArea, 'reply-input').props.value).toBe('hola'); // draft kept
  });

  it('retrying the same text after a network failure reuses the idempotencyKey', async () => {
    let n = 0;
    backend.on('POST', `/api/v1/contacts/${CONTACT_ID}/messages`, () => {
      n += 1;
      if (n === 1) throw new Error('socket hang up');
      return ok({ message: msg({ id: 'm10', direction: 'out', text: 'hola', status: 'accepted', sentAt: iso(NOW) }) }, 201);
    });
    const r = await readyCard();
    fire(r.findByTestId(TextArea, 'reply-input'), 'onChange', 'hola');
    await r.waitFor(() => expect(r.findByTestId(Button, 'send-reply').props.disabled).toBe(false));
    r.findByTestId(Button, 'send-reply').trigger('onClick');
    await r.waitFor(() => expect(r.maybeFindByTestId(Alert, 'composer-error')).not.toBeNull());
    expect(r.findByTestId(Alert, 'composer-error').text).toMatch(/Could not reach the WhatsApp service/);
    r.findByTestId(Button, 'send-reply').trigger('onClick');
    await r.waitFor(() => expect(r.maybeFindByTestId(Text, 'message-text-m10')).not.toBeNull());
    const [a, b] = backend.calls('POST', `/api/v1/contacts/${CONTACT_ID}/messages`);
    expect(a.idempotencyKey).toBe(b.idempotencyKey);
  });

  it('shows NO_CONSENT / OPTED_OUT answers from the backend', async () => {
    backend.on(
      'POST',
      `/api/v1/contacts/${CONTACT_ID}/messages`,
      apiError(409, 'OPTED_OUT', 'This contact opted out of WhatsApp messages.'),
    );
    const r = await readyCard();
    fire(r.findByTestId(TextArea, 'reply-input'), 'onChange', 'hola');
    await r.waitFor(() => expect(r.findByTestId(Button, 'send-reply').props.disabled).toBe(false));
    r.findByTestId(Button, 'send-reply').trigger('onClick');
    await r.waitFor(() => expect(r.maybeFindByTestId(Alert, 'composer-error')).not.toBeNull());
    expect(r.findByTestId(Alert, 'composer-error').props.title).toBe('Message not sent');
    expect(r.findByTestId(Alert, 'composer-error').text).toBe('This contact opted out of WhatsApp messages.');
  });
});

describe('template sender', () => {
  async function openSender() {
    const r = await readyCard();
    r.findByTestId(Button, 'open-template-sender').trigger('onClick');
    await r.waitFor(() => expect(r.maybeFindByTestId(Select, 'template-name')).not.toBeNull());
    return r;
  }

  it('lists numbers by label, loads that number\'s approved templates, languages and one input per placeholder', async () => {
    const r = await openSender();
    const num = r.findByTestId(Select, 'template-number');
    expect(num.props.options).toEqual([
      { label: 'Customer Support (+57 300 0000001)', value: '1098765' },
      { label: 'Customer Success (+57 300 0000002)', value: '2222222' },
    ]);
    expect(num.props.value).toBe('1098765'); // the conversation's number
    expect(backend.last('GET', '/api/v1/templates')!.query).toEqual({ phoneNumberId: '1098765', ...CALLER });

    expect(r.findByTestId(Select, 'template-name').props.options.map((o) => o.value)).toEqual([
      'order_update',
      'invoice_link',
      'reopen',
    ]);
    expect(r.findByTestId(Select, 'template-language').props.options.map((o) => o.value)).toEqual(['es_CO', 'en_US']);
    expect(textOf(r.findByTestId(Flex, 'whatsapp-card'))).toContain("1 template with a media header can't be sent");

    // header {{1}}, body {{1}}, body {{2}}
    expect(r.findByTestId(Flex, 'whatsapp-card').findAll(Text, { testId: 'template-count' })[0].text).toBe(
      '0 of 3 placeholders filled',
    );
    expect(r.findByTestId(Text, 'template-preview').text).toBe(
      'Pedido {{1}}\n\nHola {{1}}, tu pedido {{2}} fue enviado.\n\nResponde STOP para no recibir más mensajes',
    );
    expect(r.findByTestId(Button, 'send-template').props.disabled).toBe(true);

    fire(r.findByTestId(Select, 'template-language'), 'onChange', 'en_US');
    await r.waitFor(() => expect(r.findByTestId(Text, 'template-count').text).toBe('0 of 2 placeholders filled'));
    expect(r.maybeFindByTestId(Flex, 'template-param-2')).toBeNull();
  });

  it('live preview, count check, then POST …/template-messages with the right body', async () => {
    backend.on('POST', `/api/v1/contacts/${CONTACT_ID}/template-messages`, (req) =>
      ok(
        {
          message: msg({
            id: 't1',
            direction: 'out',
            type: 'template',
            templateName: String(req.body?.templateName),
            text: 'Hola Ana, tu pedido #77 fue enviado.',
            status: 'accepted',
            sentAt: iso(NOW),
          }),
        },
        201,
      ),
    );
    const r = await openSender();
    const { Input } = await import('@hubspot/ui-extensions');
    fire(r.findByTestId(Input, 'template-param-0'), 'onChange', '#77');
    fire(r.findByTestId(Input, 'template-param-1'), 'onChange', 'Ana');
    await r.waitFor(() => expect(r.findByTestId(Text, 'template-count').text).toBe('2 of 3 placeholders filled'));
    expect(r.findByTestId(Text, 'template-preview').text).toBe(
      'Pedido #77\n\nHola Ana, tu pedido {{2}} fue enviado.\n\nResponde STOP para no recibir más mensajes',
    );
    expect(r.findByTestId(Button, 'send-template').props.disabled).toBe(true);
    // clicking anyway is refused with a count message, nothing sent
    r.findByTestId(Button, 'send-template').trigger('onClick');
    await r.waitFor(() => expect(r.maybeFindByTestId(Alert, 'template-error')).not.toBeNull());
    expect(r.findByTestId(Alert, 'template-error').text).toBe('This template needs 3 values; 2 are filled in correctly.');
    expect(r.findByTestId(Input, 'template-param-2').props.validationMessage).toBe('Required');
    expect(backend.calls('POST', /template-messages$/)).toHaveLength(0);

    // tabs are not allowed by Meta
    fire(r.findByTestId(Input, 'template-param-2'), 'onChange', 'a\tb');
    await r.waitFor(() =>
      expect(r.findByTestId(Input, 'template-param-2').props.validationMessage).toBe('No line breaks or tabs allowed'),
    );
    fire(r.findByTestId(Input, 'template-param-2'), 'onChange', '#77');
    await r.waitFor(() => expect(r.findByTestId(Button, 'send-template').props.disabled).toBe(false));
    expect(r.findByTestId(Text, 'template-count').text).toBe('3 of 3 placeholders filled');

    r.findByTestId(Button, 'send-template').trigger('onClick');
    await r.waitFor(() => expect(r.maybeFindByTestId(Alert, 'card-notice')).not.toBeNull());
    const req = backend.last('POST', `/api/v1/contacts/${CONTACT_ID}/template-messages`)!;
    expect(req.query).toEqual(CALLER);
    expect(req.body).toEqual({
      phoneNumberId: '1098765',
      templateName: 'order_update',
      language: 'es_CO',
      parameters: ['#77', 'Ana', '#77'],
    });
    expect(req.idempotencyKey).toMatch(UUID);
    expect(r.findByTestId(Alert, 'card-notice').props.title).toBe('Template sent');
    expect(r.findByTestId(Text, 'message-text-t1').text).toBe('Hola Ana, tu pedido #77 fue enviado.');
    expect(r.maybeFindByTestId(Select, 'template-name')).toBeNull(); // sender closed
  });

  it('named placeholders and URL-button parameters get their own inputs and preview', async () => {
    const r = await openSender();
    fire(r.findByTestId(Select, 'template-name'), 'onChange', 'invoice_link');
    await r.waitFor(() => expect(r.findByTestId(Text, 'template-count').text).toBe('0 of 2 placeholders filled'));
    const { Input } = await import('@hubspot/ui-extensions');
    expect(r.findByTestId(Input, 'template-param-0').props.label).toBe('Body {{customer_name}}');
    expect(r.findByTestId(Input, 'template-param-1').props.label).toBe('Button 1 link {{1}}');
    fire(r.findByTestId(Input, 'template-param-0'), 'onChange', 'Luis');
    await r.waitFor(() =>
      expect(r.findByTestId(Text, 'template-preview').text).toBe('Hola Luis, tu factura está lista.\n\n[ Ver factura ]'),
    );
  });

  it('switching the number reloads its templates', async () => {
    const r = await openSender();
    fire(r.findByTestId(Select, 'template-number'), 'onChange', '2222222');
    await r.waitFor(() =>
      expect(r.findByTestId(Select, 'template-name').props.options.map((o) => o.value)).toEqual(['reopen']),
    );
    expect(backend.last('GET', '/api/v1/templates')!.query.phoneNumberId).toBe('2222222');
    expect(r.findByTestId(Text, 'template-count').text).toBe('0 of 0 placeholders filled');
    expect(r.findByTestId(Button, 'send-template').props.disabled).toBe(false);
  });

  it('shows TEMPLATE_PARAMS details next to the placeholder', async () => {
    backend.on(
      'POST',
      `/api/v1/contacts/${CONTACT_ID}/template-messages`,
      apiError(422, 'TEMPLATE_PARAMS', 'A template value is not valid.', { 'parameters.1': 'Too long (max 60 characters)' }),
    );
    const r = await openSender();
    const { Input } = await import('@hubspot/ui-extensions');
    fire(r.findByTestId(Input, 'template-param-0'), 'onChange', '#1');
    fire(r.findByTestId(Input, 'template-param-1'), 'onChange', 'Ana');
    fire(r.findByTestId(Input, 'template-param-2'), 'onChange', '#1');
    await r.waitFor(() => expect(r.findByTestId(Button, 'send-template').props.disabled).toBe(false));
    r.findByTestId(Button, 'send-template').trigger('onClick');
    await r.waitFor(() => expect(r.maybeFindByTestId(Alert, 'template-error')).not.toBeNull());
    expect(r.findByTestId(Alert, 'template-error').text).toBe('A template value is not valid.');
    expect(r.findByTestId(Input, 'template-param-1').props.validationMessage).toBe('Too long (max 60 characters)');
  });

  it('says so when no number is connected', async () => {
    backend.on('GET', '/api/v1/whatsapp-numbers', ok({ numbers: [] }));
    const r = await readyCard();
    r.findByTestId(Button, 'open-template-sender').trigger('onClick');
    await r.waitFor(() => expect(r.maybeFindByTestId(Alert, 'no-numbers')).not.toBeNull());
    r.findByTestId(Button, 'cancel-template').trigger('onClick');
    await r.waitFor(() => expect(r.maybeFindByTestId(Alert, 'no-numbers')).toBeNull());
  });
});

describe('conversation actions', () => {
  const withAssignee = (agentId: string, name: string, extra: Partial<Conversation> = {}): Conversation => ({
    ...conversationResponse().conversation!,
    assignee: { agentId, ownerId: 'x', name },
    ...extra,
  });

  it('assign to me: POST /conversations/{id}/assign {agentId} with my agentId; the header updates', async () => {
    backend.on('POST', '/api/v1/conversations/conv_1/assign', (req) =>
      ok({ conversation: withAssignee(String(req.body?.agentId), 'Me Agent') }),
    );
    const r = await readyCard();
    await r.waitFor(() => expect(r.findByTestId(Button, 'assign-to-me').props.disabled).toBe(false));
    r.findByTestId(Button, 'assign-to-me').trigger('onClick');
    await r.waitFor(() => expect(r.findByTestId(Text, 'assignee').text).toBe('Me Agent'));
    const req = backend.last('POST', '/api/v1/conversations/conv_1/assign')!;
    expect(req.query).toEqual(CALLER);
    expect(req.body).toEqual({ agentId: ME_AGENT.agent!.agentId });
    expect(req.idempotencyKey).toMatch(UUID);
    expect(r.findByTestId(Alert, 'card-notice').text).toBe('Assigned to you.');
    expect(r.findByTestId(Button, 'assign-to-me').props.disabled).toBe(true); // already mine
  });

  it('assign to me is disabled, with a reason, for a user who is not an agent', async () => {
    backend.on('GET', '/api/v1/me', ok({ userId: 1, ownerId: null, agent: null, isAdmin: false }));
    const r = await readyCard();
    await r.waitFor(() => expect(r.maybeFindByTestId(Text, 'not-an-agent')).not.toBeNull());
    expect(r.findByTestId(Button, 'assign-to-me').props.disabled).toBe(true);
  });

  it('assign to another agent: picks from active agents (away marked) and POSTs their agentId', async () => {
    backend.on('POST', '/api/v1/conversations/conv_1/assign', () => ok({ conversation: withAssignee('ag_2', 'Carlos Ruiz') }));
    const r = await readyCard();
    r.findByTestId(Button, 'assign-other').trigger('onClick');
    await r.waitFor(() => expect(r.maybeFindByTestId(Select, 'agent-select')).not.toBeNull());
    expect(backend.last('GET', '/api/v1/agents')!.query).toEqual(CALLER);
    // current assignee (Ana) and inactive agents are not offered
    expect(r.findByTestId(Select, 'agent-select').props.options).toEqual([{ label: 'Carlos Ruiz (away)', value: 'ag_2' }]);
    expect(r.findByTestId(Button, 'confirm-assign').props.disabled).toBe(true);
    fire(r.findByTestId(Select, 'agent-select'), 'onChange', 'ag_2');
    await r.waitFor(() => expect(r.findByTestId(Button, 'confirm-assign').props.disabled).toBe(false));
    r.findByTestId(Button, 'confirm-assign').trigger('onClick');
    await r.waitFor(() => expect(r.findByTestId(Text, 'assignee').text).toBe('Carlos Ruiz'));
    expect(backend.last('POST', '/api/v1/conversations/conv_1/assign')!.body).toEqual({ agentId: 'ag_2' });
    expect(r.findByTestId(Alert, 'card-notice').text).toBe('Assigned to Carlos Ruiz.');
  });

  it('transfer with a message: POST /conversations/{id}/transfer {agentId, message}', async () => {
    backend.on('POST', '/api/v1/conversations/conv_1/transfer', (req) =>
      ok({
        conversation: withAssignee('ag_2', 'Carlos Ruiz'),
        customerMessage: msg({ id: 'tr1', direction: 'out', text: String(req.body?.message), status: 'accepted', sentAt: iso(NOW) }),
      }),
    );
    const r = await readyCard();
    r.findByTestId(Button, 'transfer').trigger('onClick');
    await r.waitFor(() => expect(r.maybeFindByTestId(Select, 'agent-select')).not.toBeNull());
    fire(r.findByTestId(Select, 'agent-select'), 'onChange', 'ag_2');
    fire(r.findByTestId(TextArea, 'transfer-message'), 'onChange', 'Te paso con Carlos, de facturación.');
    await r.waitFor(() => expect(r.findByTestId(Button, 'confirm-transfer').props.disabled).toBe(false));
    r.findByTestId(Button, 'confirm-transfer').trigger('onClick');
    await r.waitFor(() => expect(r.maybeFindByTestId(Alert, 'card-notice')).not.toBeNull());
    const req = backend.last('POST', '/api/v1/conversations/conv_1/transfer')!;
    expect(req.query).toEqual(CALLER);
    expect(req.body).toEqual({ agentId: 'ag_2', message: 'Te paso con Carlos, de facturación.' });
    expect(r.findByTestId(Alert, 'card-notice').text).toBe(
      'Transferred to Carlos Ruiz. The customer was told about the handover.',
    );
    expect(r.findByTestId(Text, 'assignee').text).toBe('Carlos Ruiz');
    expect(r.findByTestId(Text, 'message-text-tr1').text).toBe('Te paso con Carlos, de facturación.');
  });

  it('transfer without a message sends only agentId (server default text)', async () => {
    backend.on('POST', '/api/v1/conversations/conv_1/transfer', () =>
      ok({ conversation: withAssignee('ag_2', 'Carlos Ruiz'), customerMessage: null }),
    );
    const r = await readyCard();
    r.findByTestId(Button, 'transfer').trigger('onClick');
    await r.waitFor(() => expect(r.maybeFindByTestId(Select, 'agent-select')).not.toBeNull());
    fire(r.findByTestId(Select, 'agent-select'), 'onChange', 'ag_2');
    await r.waitFor(() => expect(r.findByTestId(Button, 'confirm-transfer').props.disabled).toBe(false));
    r.findByTestId(Button, 'confirm-transfer').trigger('onClick');
    await r.waitFor(() => expect(r.maybeFindByTestId(Alert, 'card-notice')).not.toBeNull());
    expect(backend.last('POST', '/api/v1/conversations/conv_1/transfer')!.body).toEqual({ agentId: 'ag_2' });
    expect(r.findByTestId(Alert, 'card-notice').text).toContain('The customer was not messaged');
  });

  it('resolve with a label: POST /conversations/{id}/resolve {label}; status shows resolved with the label', async () => {
    backend.on('POST', '/api/v1/conversations/conv_1/resolve', (req) =>
      ok({ conversation: { ...conversationResponse().conversation!, status: 'resolved', label: req.body?.label } }),
    );
    const r = await readyCard();
    r.findByTestId(Button, 'resolve').trigger('onClick');
    await r.waitFor(() => expect(r.maybeFindByTestId(Select, 'resolution-label')).not.toBeNull());
    expect(r.findByTestId(Select, 'resolution-label').props.options.map((o) => o.value)).toEqual([
      'Resolved by Corporate',
      'Resolved by Premium',
    ]);
    expect(r.findByTestId(Button, 'confirm-resolve').props.disabled).toBe(true); // a label is required
    fire(r.findByTestId(Select, 'resolution-label'), 'onChange', 'Resolved by Premium');
    await r.waitFor(() => expect(r.findByTestId(Button, 'confirm-resolve').props.disabled).toBe(false));
    r.findByTestId(Button, 'confirm-resolve').trigger('onClick');
    await r.waitFor(() => expect(r.findByTestId(StatusTag, 'status-tag').text).toBe('Resolved · Resolved by Premium'));
    const req = backend.last('POST', '/api/v1/conversations/conv_1/resolve')!;
    expect(req.query).toEqual(CALLER);
    expect(req.body).toEqual({ label: 'Resolved by Premium' });
    expect(r.findByTestId(Alert, 'card-notice').text).toBe('Resolved as “Resolved by Premium”.');
    expect(r.maybeFindByTestId(Flex, 'conversation-actions')).toBeNull();
    expect(r.maybeFindByTestId(Flex, 'composer')).toBeNull();
    expect(r.maybeFindByTestId(Button, 'new-template')).not.toBeNull();
  });

  it('shows the error when an action is refused', async () => {
    backend.on('POST', '/api/v1/conversations/conv_1/assign', apiError(403, 'FORBIDDEN', 'You cannot assign this conversation.'));
    const r = await readyCard();
    await r.waitFor(() => expect(r.findByTestId(Button, 'assign-to-me').props.disabled).toBe(false));
    r.findByTestId(Button, 'assign-to-me').trigger('onClick');
    await r.waitFor(() => expect(r.maybeFindByTestId(Alert, 'actions-error')).not.toBeNull());
    expect(r.findByTestId(Alert, 'actions-error').text).toBe('You cannot assign this conversation.');
    expect(r.findByTestId(Text, 'assignee').text).toBe('Ana Pérez');
  });

  it('agents list marks out-of-office agents', async () => {
    backend.on(
      'GET',
      '/api/v1/agents',
      ok({ agents: [...AGENTS, { ...AGENTS[1], agentId: 'ag_4', name: 'Luz', available: true, outOfOffice: [{ from: '2026-03-28', to: '2026-04-02' }] }] }),
    );
    const r = await readyCard();
    r.findByTestId(Button, 'assign-other').trigger('onClick');
    await r.waitFor(() => expect(r.maybeFindByTestId(Select, 'agent-select')).not.toBeNull());
    expect(r.findByTestId(Select, 'agent-select').props.options.map((o) => o.label)).toContain('Luz (out of office)');
  });
});
