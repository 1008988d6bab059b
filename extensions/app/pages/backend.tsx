// How every section of the app pages talks to our backend: one provider built from the page's
// context and `hubspot.fetch`, so sections (and their tests) just call useBackend().
// HubSpot's proxy allows no request header but Authorization: a POST's idempotency key travels in
// the JSON body as `idempotencyKey` (API_CONTRACT.md, "Extension-API rules").
import { createContext, useContext, type ReactNode } from 'react';

export const DEFAULT_API_BASE_URL = 'https://api.whatsapp-hubspot.example.com';

export type Query = Record<string, string | number | undefined | null>;

export interface PageContextLike {
  portal: { id: number; timezone?: string };
  user: { id: number; locale?: string; language?: string };
  variables?: Record<string, unknown>;
}

/** The part of `hubspot.fetch` the pages use (no headers, ever). */
export type PageFetch = (url: string, init: { method: 'GET' | 'POST'; timeout: number; body?: Record<string, unknown> }) => Promise<Response>;

export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  constructor(code: string, message: string, status = 0) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
  }
}

export interface Backend {
  get<T>(path: string, query?: Query): Promise<T>;
  post<T>(path: string, body: Record<string, unknown>): Promise<T>;
  /** Today's date (YYYY-MM-DD) where the user is; tests fix it. */
  today(): string;
  /** The user's language (e.g. "es", "en-us"), for the export's separator. */
  language: string;
  /** The page's context, for sections that build their own client (templates, campaigns). */
  context?: PageContextLike;
  /** HubSpot's actions the page was given (the Templates page opens its upload page in the iframe modal). */
  actions?: PageActions;
}

/** The part of HubSpot's page actions the sections use. */
export interface PageActions {
  openIframeModal?: (p: { uri: string; height: number; width: number; title?: string }, onClose?: () => void) => void;
}

/** The backend's base URL from the page's context (the profile's apiBaseUrl). */
export function apiBaseUrl(ctx: PageContextLike | undefined): string {
  const v = ctx?.variables?.apiBaseUrl;
  return (v === undefined || v === null || v === '' ? DEFAULT_API_BASE_URL : String(v)).replace(/\/+$/, '');
}

export function newIdempotencyKey(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  if (c?.randomUUID) return c.randomUUID();
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(Math.random() * 16).toString(16)).join('');
  return `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
}

export function buildUrl(ctx: PageContextLike, path: string, query: Query = {}): string {
  const base = apiBaseUrl(ctx);
  const params = new URLSearchParams();
  for (const [k, val] of Object.entries(query)) if (val !== undefined && val !== null && val !== '') params.append(k, String(val));
  params.append('portalId', String(ctx.portal.id));
  params.append('userId', String(ctx.user.id));
  return `${base}/api/v1${path}?${params.toString()}`;
}

const FRIENDLY: Record<number, string> = {
  401: 'The request to the WhatsApp service was not authorised. Reload the page and try again.',
  403: 'You do not have access to this part of the WhatsApp app.',
  404: 'The WhatsApp service does not know this account yet. Connect it in the app settings.',
  429: 'Too many requests right now. Wait a moment and try again.',
};

async function call<T>(fetch: PageFetch, url: string, method: 'GET' | 'POST', body?: Record<string, unknown>): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, { method, timeout: 15_000, ...(body ? { body } : {}) });
  } catch {
    throw new ApiError('NETWORK', 'Could not reach the WhatsApp service. Check your connection and try again.');
  }
  let payload: unknown;
  try {
    payload = await res.json();
  } catch {
    payload = undefined;
  }
  if (!res.ok) {
    const err = (payload as { error?: { code?: string; message?: string } } | undefined)?.error;
    throw new ApiError(err?.code ?? `HTTP_${res.status}`, err?.message ?? FRIENDLY[res.status] ?? `The WhatsApp service answered with an error (${res.status}).`, res.status);
  }
  return payload as T;
}

export function createBackend(ctx: PageContextLike, fetch: PageFetch, today?: () => string): Backend {
  return {
    get: (path, query) => call(fetch, buildUrl(ctx, path, query), 'GET'),
    post: (path, body) => call(fetch, buildUrl(ctx, path), 'POST', { ...body, idempotencyKey: newIdempotencyKey() }),
    today: today ?? (() => new Date().toISOString().slice(0, 10)),
    language: ctx.user.locale ?? ctx.user.language ?? 'en',
    context: ctx,
  };
}

const BackendContext = createContext<Backend | null>(null);

export function BackendProvider({ backend, children }: { backend: Backend; children: ReactNode }) {
  return <BackendContext.Provider value={backend}>{children}</BackendContext.Provider>;
}

export function useBackend(): Backend {
  const b = useContext(BackendContext);
  if (!b) throw new Error('useBackend outside BackendProvider (AppPages provides it)');
  return b;
}
