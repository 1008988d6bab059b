// The only module of the card that talks to the backend (through hubspot.fetch).
// Endpoints and shapes: docs/extension-api.md.
import { hubspot } from '@hubspot/ui-extensions';
import type {
  Agent,
  CardSettings,
  Conversation,
  ConversationResponse,
  Me,
  Message,
  Template,
  WhatsAppNumber,
} from './types';

export const DEFAULT_API_BASE_URL = 'https://api.whatsapp-hubspot.example.com';

/** The bits of the extension context the API needs. */
export interface ApiContext {
  portal: { id: number };
  user: { id: number };
  variables?: Record<string, unknown>;
}

export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details: Record<string, string>;
  constructor(code: string, message: string, status = 0, details: Record<string, string> = {}) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
    this.details = details;
  }
}

type Method = 'GET' | 'POST' | 'PUT';
type Query = Record<string, string | number | undefined | null>;

export interface MutationOptions {
  /** Reuse the same key when the user retries the same action. */
  idempotencyKey?: string;
}

export function newIdempotencyKey(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  if (c?.randomUUID) return c.randomUUID();
  const hex = (n: number) =>
    Array.from({ length: n }, () => Math.floor(Math.random() * 16).toString(16)).join('');
  return `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
}

export function apiBaseUrl(ctx: ApiContext): string {
  const v = ctx.variables?.apiBaseUrl;
  const base = v === undefined || v === null || v === '' ? DEFAULT_API_BASE_URL : String(v);
  return base.replace(/\/+$/, '');
}

export function buildUrl(ctx: ApiContext, path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null && v !== '') params.append(k, String(v));
  }
  params.append('portalId', String(ctx.portal.id));
  params.append('userId', String(ctx.user.id));
  return `${apiBaseUrl(ctx)}/api/v1${path}?${params.toString()}`;
}

const FRIENDLY_BY_STATUS: Record<number, string> = {
  401: 'The request to the WhatsApp service was not authorised. Reload the page and try again.',
  403: 'You do not have permission to do this.',
  404: 'Not found.',
  429: 'Too many requests right now. Wait a moment and try again.',
};

async function request<T>(
  ctx: ApiContext,
  method: Method,
  path: string,
  opts: { query?: Query; body?: Record<string, unknown>; idempotencyKey?: string } = {},
): Promise<T> {
  const url = buildUrl(ctx, path, opts.query);
  const headers: Record<string, string> = {};
  if (method !== 'GET') headers['Idempotency-Key'] = opts.idempotencyKey ?? newIdempotencyKey();
  let res: Response;
  try {
    res = await hubspot.fetch(url, {
      method,
      timeout: 12000,
      ...(opts.body ? { body: opts.body } : {}),
      ...(method !== 'GET' ? { headers } : {}),
    });
  } catch {
    throw new ApiError('NETWORK', 'Could not reach the WhatsApp service. Check your connection and try again.');
  }
  let payload: unknown = undefined;
  if (res.status !== 204) {
    try {
      payload = await res.json();
    } catch {
      payload = undefined;
    }
  }
  if (!res.ok) {
    const err = (payload as { error?: { code?: string; message?: string; details?: Record<string, string> } })
      ?.error;
    throw new ApiError(
      err?.code ?? `HTTP_${res.status}`,
      err?.message ?? FRIENDLY_BY_STATUS[res.status] ?? `The WhatsApp service answered with an error (${res.status}).`,
      res.status,
      err?.details ?? {},
    );
  }
  return payload as T;
}

export function createCardApi(ctx: ApiContext) {
  return {
    getConversation(contactId: number | string, before?: string | null): Promise<ConversationResponse> {
      return request(ctx, 'GET', `/contacts/${encodeURIComponent(String(contactId))}/conversation`, {
        query: { before: before ?? undefined },
      });
    },
    async sendMessage(contactId: number | string, text: string, o: MutationOptions = {}): Promise<Message> {
      const r = await request<{ message: Message }>(
        ctx,
        'POST',
        `/contacts/${encodeURIComponent(String(contactId))}/messages`,
        { body: { text }, idempotencyKey: o.idempotencyKey },
      );
      return r.message;
    },
    sendTemplate(
      contactId: number | string,
      input: { phoneNumberId: string; templateName: string; language: string; parameters: string[] },
      o: MutationOptions = {},
    ): Promise<{ message: Message; conversation?: Conversation }> {
      return request(ctx, 'POST', `/contacts/${encodeURIComponent(String(contactId))}/template-messages`, {
        body: { ...input },
        idempotencyKey: o.idempotencyKey,
      });
    },
    async listTemplates(phoneNumberId: string): Promise<Template[]> {
      const r = await request<{ templates: Template[] }>(ctx, 'GET', '/templates', { query: { phoneNumberId } });
      return r.templates ?? [];
    },
    async listNumbers(): Promise<WhatsAppNumber[]> {
      const r = await request<{ numbers: WhatsAppNumber[] }>(ctx, 'GET', '/whatsapp-numbers');
      return r.numbers ?? [];
    },
    async listAgents(): Promise<Agent[]> {
      const r = await request<{ agents: Agent[] }>(ctx, 'GET', '/agents');
      return r.agents ?? [];
    },
    getMe(): Promise<Me> {
      return request(ctx, 'GET', '/me');
    },
    getSettings(): Promise<CardSettings> {
      return request(ctx, 'GET', '/settings');
    },
    async assign(conversationId: string, agentId: string, o: MutationOptions = {}): Promise<Conversation> {
      const r = await request<{ conversation: Conversation }>(
        ctx,
        'POST',
        `/conversations/${encodeURIComponent(conversationId)}/assign`,
        { body: { agentId }, idempotencyKey: o.idempotencyKey },
      );
      return r.conversation;
    },
    transfer(
      conversationId: string,
      agentId: string,
      message: string | undefined,
      o: MutationOptions = {},
    ): Promise<{ conversation: Conversation; customerMessage: Message | null }> {
      const body: Record<string, unknown> = { agentId };
      if (message && message.trim()) body.message = message.trim();
      return request(ctx, 'POST', `/conversations/${encodeURIComponent(conversationId)}/transfer`, {
        body,
        idempotencyKey: o.idempotencyKey,
      });
    },
    async resolve(conversationId: string, label: string, o: MutationOptions = {}): Promise<Conversation> {
      const r = await request<{ conversation: Conversation }>(
        ctx,
        'POST',
        `/conversations/${encodeURIComponent(conversationId)}/resolve`,
        { body: { label }, idempotencyKey: o.idempotencyKey },
      );
      return r.conversation;
    },
  };
}

export type CardApi = ReturnType<typeof createCardApi>;
