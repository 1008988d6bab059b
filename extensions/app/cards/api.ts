// The only module of the card that talks to the backend (through hubspot.fetch).
// Endpoints and shapes: docs/extension-api.md. The request plumbing is shared with the settings page.
import { hubspot } from '@hubspot/ui-extensions';
import {
  ApiError,
  DEFAULT_API_BASE_URL,
  apiBaseUrl,
  buildUrl,
  callBackend,
  newIdempotencyKey,
  type ApiContext,
  type Method,
  type Query,
} from 'whatsapp-extension-shared';
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

export { ApiError, DEFAULT_API_BASE_URL, apiBaseUrl, buildUrl, newIdempotencyKey, type ApiContext };

export interface MutationOptions {
  /** Reuse the same key when the user retries the same action. */
  idempotencyKey?: string;
}

const FRIENDLY_BY_STATUS: Record<number, string> = {
  401: 'The request to the WhatsApp service was not authorised. Reload the page and try again.',
  403: 'You do not have permission to do this.',
  404: 'Not found.',
  429: 'Too many requests right now. Wait a moment and try again.',
};

function request<T>(
  ctx: ApiContext,
  method: Method,
  path: string,
  opts: { query?: Query; body?: Record<string, unknown>; idempotencyKey?: string } = {},
): Promise<T> {
  return callBackend<T>(hubspot.fetch, {
    url: buildUrl(ctx, path, opts.query),
    method,
    timeout: 12000,
    body: opts.body,
    idempotencyKey: opts.idempotencyKey,
    friendly: FRIENDLY_BY_STATUS,
  });
}

// Calls about one contact, and the portal data the card needs around them.
function contactCalls(ctx: ApiContext) {
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
  };
}

// Calls on a conversation (assign, transfer, resolve), and the upload link.
function conversationCalls(ctx: ApiContext) {
  return {
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
    /** A short-lived single-use link to the backend's upload page (opened in an iframe modal). */
    createUploadLink(contactId: number | string): Promise<{ url: string; expiresAt: string }> {
      return request(ctx, 'POST', `/contacts/${encodeURIComponent(String(contactId))}/upload-links`, {});
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

export function createCardApi(ctx: ApiContext) {
  return { ...contactCalls(ctx), ...conversationCalls(ctx) };
}

export type CardApi = ReturnType<typeof createCardApi>;
