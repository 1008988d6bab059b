// Calls the app's extension API (/api/v1) exactly as a UI extension's `hubspot.fetch` would: through
// the HubSpot simulator's proxy, which appends portalId & userId and signs with X-HubSpot-Signature-v3.
import { randomUUID } from 'node:crypto';
import type { HubSpotSimulator } from '../hubspot/index.js';

export interface ExtensionResponse<T = any> {
  status: number;
  body: T;
}

export class ExtensionApiError extends Error {
  constructor(
    readonly what: string,
    readonly status: number,
    readonly body: unknown,
  ) {
    const e = (body as { error?: { code?: string; message?: string; details?: unknown } } | null)?.error;
    const detail = e ? `${e.code ?? ''} ${e.message ?? ''}${e.details ? ` ${JSON.stringify(e.details)}` : ''}`.trim() : JSON.stringify(body)?.slice(0, 300);
    super(`${what}: HTTP ${status} ${detail}`);
    this.name = 'ExtensionApiError';
  }
}

export class ExtensionClient {
  constructor(
    private readonly hubspot: HubSpotSimulator,
    /** The app's PUBLIC_BASE_URL: what the extension's fetch URLs start with (and what is signed). */
    readonly baseUrl: string,
    readonly portalId: number,
  ) {}

  /** One `hubspot.fetch`. Writes carry an `idempotencyKey` in the body (one per user action), as the real cards send. */
  async fetch(p: { userId: number; method?: string; path: string; body?: unknown; idempotencyKey?: string }): Promise<ExtensionResponse> {
    if (!p.path.startsWith('/api/v1/')) throw new Error(`not an extension API path: ${p.path}`);
    const method = (p.method ?? 'GET').toUpperCase();
    const write = method !== 'GET' && method !== 'HEAD';
    const body = write ? { ...((p.body as Record<string, unknown>) ?? {}), idempotencyKey: p.idempotencyKey ?? randomUUID() } : undefined;
    const res = await this.hubspot.proxyFetch({ url: this.baseUrl + p.path, method, body, portalId: this.portalId, userId: p.userId });
    return { status: res.status, body: res.body };
  }

  /** Like fetch, but throws ExtensionApiError unless the status is one of `ok`. */
  async expect<T = any>(what: string, ok: number[], p: Parameters<ExtensionClient['fetch']>[0]): Promise<ExtensionResponse<T>> {
    const res = await this.fetch(p);
    if (!ok.includes(res.status)) throw new ExtensionApiError(what, res.status, res.body);
    return res;
  }
}
