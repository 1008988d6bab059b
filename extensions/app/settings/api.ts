// The only module of the settings page that talks to the backend (through hubspot.fetch).
// Endpoints and shapes: docs/extension-api.md.
import { hubspot } from '@hubspot/ui-extensions';
import type { Agent, ConnectNumberInput, Me, Owner, Settings, WhatsAppNumber } from './types';

export const DEFAULT_API_BASE_URL = 'https://api.whatsapp-hubspot.example.com';

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

export function buildUrl(ctx: ApiContext, path: string, query: Record<string, string | undefined> = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') params.append(k, v);
  params.append('portalId', String(ctx.portal.id));
  params.append('userId', String(ctx.user.id));
  return `${apiBaseUrl(ctx)}/api/v1${path}?${params.toString()}`;
}

const FRIENDLY_BY_STATUS: Record<number, string> = {
  401: 'The request to the WhatsApp service was not authorised. Reload the page and try again.',
  403: 'Only admins can change these settings.',
  429: 'Too many requests right now. Wait a moment and try again.',
};

async function request<T>(
  ctx: ApiContext,
  method: Method,
  path: string,
  body?: Record<string, unknown>,
  idempotencyKey?: string,
): Promise<T> {
  let res: Response;
  try {
    res = await hubspot.fetch(buildUrl(ctx, path), {
      method,
      timeout: 14000,
      ...(body ? { body } : {}),
      ...(method !== 'GET' ? { headers: { 'Idempotency-Key': idempotencyKey ?? newIdempotencyKey() } } : {}),
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
