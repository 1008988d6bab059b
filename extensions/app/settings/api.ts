// The only module of the settings page that talks to the backend (through hubspot.fetch).
// Endpoints and shapes: docs/extension-api.md. The request plumbing is shared with the card.
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
} from 'whatsapp-extension-shared';
import type { Agent, ConnectNumberInput, Me, Owner, Settings, WhatsAppNumber } from './types';

export { ApiError, DEFAULT_API_BASE_URL, apiBaseUrl, buildUrl, newIdempotencyKey, type ApiContext };

const FRIENDLY_BY_STATUS: Record<number, string> = {
  401: 'The request to the WhatsApp service was not authorised. Reload the page and try again.',
  403: 'Only admins can change these settings.',
  429: 'Too many requests right now. Wait a moment and try again.',
};

function request<T>(
  ctx: ApiContext,
  method: Method,
  path: string,
  body?: Record<string, unknown>,
  idempotencyKey?: string,
): Promise<T> {
  return callBackend<T>(hubspot.fetch, {
    url: buildUrl(ctx, path),
    method,
    timeout: 14000,
    body,
    idempotencyKey,
    friendly: FRIENDLY_BY_STATUS,
  });
}

export function createSettingsApi(ctx: ApiContext) {
  return {
    getSettings: () => request<Settings>(ctx, 'GET', '/settings'),
    putSettings: (s: Settings) => request<Settings>(ctx, 'PUT', '/settings', { ...s }),
    listNumbers: async () => (await request<{ numbers: WhatsAppNumber[] }>(ctx, 'GET', '/whatsapp-numbers')).numbers ?? [],
    connectNumber: async (input: ConnectNumberInput) =>
      (await request<{ number: WhatsAppNumber }>(ctx, 'POST', '/whatsapp-numbers', { ...input })).number,
    listAgents: async () => (await request<{ agents: Agent[] }>(ctx, 'GET', '/agents')).agents ?? [],
    putAgents: async (agents: Agent[]) =>
      (await request<{ agents: Agent[] }>(ctx, 'PUT', '/agents', { agents })).agents ?? [],
    listOwners: async () => (await request<{ owners: Owner[] }>(ctx, 'GET', '/owners')).owners ?? [],
    getMe: () => request<Me>(ctx, 'GET', '/me'),
  };
}

export type SettingsApi = ReturnType<typeof createSettingsApi>;
