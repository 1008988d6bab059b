// What the card, the settings page and the app pages share to talk to our backend: URL building,
// the idempotency key, and turning an answer into data or an ApiError. It is the workspace package
// `whatsapp-extension-shared` (a `file:` dependency of each extension, as HubSpot's build wants) and
// imports no package; each extension passes in its own `hubspot.fetch`.
// Endpoints and shapes: docs/extension-api.md.

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

export type Method = 'GET' | 'POST' | 'PUT';
export type Query = Record<string, string | number | undefined | null>;

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

/**
 * `<apiBaseUrl>/api/v1<path>?…&portalId=&userId=`. HubSpot's proxy appends its own portalId/userId
 * after ours and signs the URL; the backend refuses a request whose two values differ.
 */
export function buildUrl(ctx: ApiContext, path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null && v !== '') params.append(k, String(v));
  }
  params.append('portalId', String(ctx.portal.id));
  params.append('userId', String(ctx.user.id));
  return `${apiBaseUrl(ctx)}/api/v1${path}?${params.toString()}`;
}

/**
 * The shape of `hubspot.fetch` this module needs. No `headers`: HubSpot's proxy answers any request
 * header but Authorization with 400 and never calls the backend.
 */
export type ExtensionFetch = (
  url: string,
  init: { method: Method; timeout: number; body?: Record<string, unknown> },
) => Promise<Response>;

/**
 * One backend call: a mutation carries `idempotencyKey` in its JSON body (HubSpot's proxy may retry
 * once); an error answer becomes an ApiError with the backend's code and message, or `friendly[status]`.
 */
export async function callBackend<T>(
  fetch: ExtensionFetch,
  p: {
    url: string;
    method: Method;
    timeout: number;
    body?: Record<string, unknown>;
    idempotencyKey?: string;
    friendly: Record<number, string>;
  },
): Promise<T> {
  let res: Response;
  try {
    const body =
      p.method === 'GET' ? undefined : { ...(p.body ?? {}), idempotencyKey: p.idempotencyKey ?? newIdempotencyKey() };
    res = await fetch(p.url, { method: p.method, timeout: p.timeout, ...(body ? { body } : {}) });
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
      err?.message ?? p.friendly[res.status] ?? `The WhatsApp service answered with an error (${res.status}).`,
      res.status,
      err?.details ?? {},
    );
  }
  return payload as T;
}
