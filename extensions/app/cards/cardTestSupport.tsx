// Test-only fixtures and a mount helper for the card tests.
import { useState } from 'react';
import { createRenderer } from '@hubspot/ui-extensions/testing';
import { WhatsAppCardView, type CardActions, type CardContext } from './WhatsAppCardView';
import { ok, type FakeBackend } from './fakeBackend';
import type { Agent, CardSettings, ConversationResponse, Me, Message, Template, WhatsAppNumber } from './types';

export const BASE = 'https://api.test.example';
export const CONTACT_ID = 51;
export const NOW = Date.parse('2026-03-30T12:00:00.000Z');
export const H = 3600 * 1000;

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function msg(p: Partial<Message> & { id: string }): Message {
  return {
    direction: 'in',
    type: 'text',
    text: `text ${p.id}`,
    status: null,
    error: null,
    sentAt: iso(NOW - H),
    media: null,
    templateName: null,
    sentBy: null,
    ...p,
  };
}

export function conversationResponse(over: Partial<ConversationResponse> = {}): ConversationResponse {
  return {
    contact: { waId: '573001234567', phone: '+573001234567', consent: 'granted', optedOut: false },
    conversation: {
      id: 'conv_1',
      status: 'open',
      assignee: { agentId: 'ag_1', ownerId: '9001', name: 'Ana Pérez' },
      windowExpiresAt: iso(NOW + 23 * H),
      phoneNumberId: '1098765',
      urgent: false,
      label: null,
    },
    messages: [
      msg({ id: 'm1', direction: 'in', text: 'Hola, ¿tienen envío a Medellín?', sentAt: iso(NOW - 2 * H) }),
      msg({
        id: 'm2',
        direction: 'out',
        text: 'Sí, en 2 días.',
        status: 'read',
        sentBy: 'Ana Pérez',
        sentAt: iso(NOW - H),
      }),
    ],
    nextCursor: null,
    ...over,
  };
}

export const SETTINGS: CardSettings = {
  quickReplies: [
    { id: 'qr1', phoneNumberId: null, title: 'Greeting', text: 'Hola, gracias por escribirnos.' },
    { id: 'qr2', phoneNumberId: '1098765', title: 'Shipping times', text: 'Enviamos en 2 a 3 días hábiles.' },
    { id: 'qr3', phoneNumberId: '2222222', title: 'Other line only', text: 'Solo para Customer Success.' },
  ],
  resolutionLabels: ['Resolved by Corporate', 'Resolved by Premium'],
  windowAlertMinutes: 120,
};

export const ME_AGENT: Me = {
  userId: 1,
  ownerId: '9009',
  isAdmin: false,
  agent: {
    agentId: 'ag_me',
    ownerId: '9009',
    userId: 1,
    email: 'me@acme.co',
    name: 'Me Agent',
    active: true,
    available: true,
    outOfOffice: [],
  },
};

export const AGENTS: Agent[] = [
  { agentId: 'ag_1', ownerId: '9001', userId: 11, email: 'ana@acme.co', name: 'Ana Pérez', active: true, available: true, outOfOffice: [] },
  { agentId: 'ag_2', ownerId: '9002', userId: 12, email: 'carlos@acme.co', name: 'Carlos Ruiz', active: true, available: false, outOfOffice: [] },
  { agentId: 'ag_3', ownerId: '9003', userId: 13, email: 'old@acme.co', name: 'Inactive Person', active: false, available: false, outOfOffice: [] },
];

export const NUMBERS: WhatsAppNumber[] = [
  { phoneNumberId: '1098765', wabaId: '555', label: 'Customer Support', displayPhoneNumber: '+57 300 0000001' },
  { phoneNumberId: '2222222', wabaId: '555', label: 'Customer Success', displayPhoneNumber: '+57 300 0000002' },
];

export const TEMPLATES: Template[] = [
  {
    name: 'order_update',
    language: 'es_CO',
    category: 'UTILITY',
    status: 'APPROVED',
    header: { format: 'TEXT', text: 'Pedido {{1}}' },
    body: 'Hola {{1}}, tu pedido {{2}} fue enviado.',
    footer: 'Responde STOP para no recibir más mensajes',
    placeholders: [
      { component: 'header', index: 1, example: '#1234' },
      { component: 'body', index: 1, example: 'Ana' },
      { component: 'body', index: 2, example: '#1234' },
    ],
  },
  {
    name: 'order_update',
    language: 'en_US',
    header: null,
    body: 'Hi {{1}}, your order {{2}} has shipped.',
    footer: null,
    placeholders: [
      { component: 'body', index: 1, example: 'Ana' },
      { component: 'body', index: 2, example: '#1234' },
    ],
  },
  {
    name: 'invoice_link',
    language: 'es_CO',
    header: null,
    body: 'Hola {{customer_name}}, tu factura está lista.',
    footer: null,
    buttons: [{ type: 'URL', text: 'Ver factura' }],
    placeholders: [
      { component: 'body', index: 1, name: 'customer_name', example: 'Ana' },
      { component: 'button', index: 1, buttonIndex: 0, example: 'inv-123' },
    ],
  },
  {
    name: 'reopen',
    language: 'es_CO',
    header: null,
    body: 'Hola, ¿seguimos con tu solicitud?',
    footer: null,
    placeholders: [],
  },
  {
    name: 'promo_with_image',
    language: 'es_CO',
    header: { format: 'IMAGE', text: null },
    body: 'Mira esto {{1}}',
    footer: null,
    placeholders: [{ component: 'body', index: 1, example: 'Ana' }],
  },
];

/** Registers the default happy-path routes. Tests override single routes with backend.on(). */
export function defaultRoutes(backend: FakeBackend, conv: ConversationResponse = conversationResponse()) {
  backend.on('GET', `/api/v1/contacts/${CONTACT_ID}/conversation`, ok(conv));
  backend.on('GET', '/api/v1/settings', ok(SETTINGS));
  backend.on('GET', '/api/v1/me', ok(ME_AGENT));
  backend.on('GET', '/api/v1/agents', ok({ agents: AGENTS }));
  backend.on('GET', '/api/v1/whatsapp-numbers', ok({ numbers: NUMBERS }));
  backend.on('GET', '/api/v1/templates', (req) =>
    ok({ templates: req.query.phoneNumberId === '1098765' ? TEMPLATES : [TEMPLATES[3]] }),
  );
}

const unmounts: (() => Promise<void>)[] = [];

/** Renders the card inside a harness that can unmount it (the renderer has no unmount). */
export function mountCard(opts: { pollIntervalMs?: number; variables?: Record<string, string>; actions?: CardActions } = {}) {
  const r = createRenderer('crm.record.tab');
  const context: CardContext = {
    ...r.mocks.context,
    portal: { id: r.mocks.context.portal.id, timezone: 'UTC' },
    crm: { objectId: CONTACT_ID },
    variables: opts.variables ?? { apiBaseUrl: BASE },
  };
  let setOn: (v: boolean) => void = () => undefined;
  function Harness() {
    const [on, set] = useState(true);
    setOn = set;
    return on ? <WhatsAppCardView context={context} actions={opts.actions} pollIntervalMs={opts.pollIntervalMs ?? 60 * 60 * 1000} /> : null;
  }
  r.render(<Harness />);
  const unmount = async () => {
    setOn(false);
    await r.waitFor(() => {
      if (r.getRootNode().childNodes.length !== 0) throw new Error('still mounted');
    });
  };
  unmounts.push(unmount);
  return { ...r, context, unmount };
}

export async function unmountAll() {
  while (unmounts.length) await unmounts.pop()!();
}

interface AnyNode {
  nodeType: string;
  text?: string | null;
  childNodes?: AnyNode[];
}

/** All text below a node (the renderer's `.text` only has a node's direct text). */
export function textOf(node: AnyNode): string {
  if (node.nodeType === 'text') return node.text ?? '';
  return (node.childNodes ?? []).map((c) => textOf(c)).join(' ').replace(/\s+/g, ' ').trim();
}

/**
 * Fires an event prop with a value. The package types `trigger`'s argument as the handler itself,
 * so `node.trigger('onChange', 'text')` does not type-check; this wrapper does.
 */
export function fire(node: { trigger: unknown }, event: string, arg?: unknown): void {
  (node.trigger as (e: string, a?: unknown) => void)(event, arg);
}
