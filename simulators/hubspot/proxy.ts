// `hubspot.fetch` as HubSpot's proxy runs it, rule for rule (docs/hubspot-tools.md lists where each
// rule comes from: HubSpot's docs and the local-dev proxy in @hubspot/ui-extensions-dev-server,
// whose comments say it mirrors the production proxy).
import { createHash } from 'node:crypto';
import { signHeaders } from './signing.js';

export const PROXY_TIMEOUT_MS = 15_000;
export const PROXY_MAX_TIMEOUT_MS = 120_000;
export const PROXY_MAX_BYTES = 1024 * 1024;
/** Concurrent `hubspot.fetch` calls per app and installed account; more get 429. */
export const PROXY_MAX_CONCURRENT = 20;

/** HubSpot's answers that never reach the app's backend. */
export const PROXY_ERRORS = {
  invalidHeaders: "Invalid Request Headers provided. Only 'Authorization' header is allowed from hubspot.fetch()",
  tooManyHeaders: "Only 'Authorization' header is allowed",
  invalidBody: 'Invalid JSON Request Body',
  tooManyRequests: 'Too many concurrent requests for this app and account',
} as const;

export interface ProxyFetchInput {
  url: string;
  method?: string;
  /** What the extension passes as `body`: HubSpot sends only a JSON object. */
  body?: unknown;
  portalId: number;
  userId: number;
  /** Request headers the extension passes (only `Authorization` gets through). */
  headers?: Record<string, string>;
  /** ms; default 15 s, at most 120 s. */
  timeout?: number;
  /** X-HubSpot-Request-Timestamp to sign with (default: the simulator clock) */
  timestamp?: number;
}

export interface ProxyFetchResult {
  status: number;
  body: any;
  headers: Record<string, string>;
}

/** The `timeout` option as HubSpot applies it: 15 s by default, at most 120 s. */
export function proxyTimeout(requested: number | undefined): number {
  if (requested === undefined || !Number.isFinite(requested) || requested <= 0) return PROXY_TIMEOUT_MS;
  return Math.min(requested, PROXY_MAX_TIMEOUT_MS);
}

/** In-flight calls per `appId:portalId` (one per simulator). */
export type ProxyState = Map<string, number>;

/**
 * HubSpot appends its own `portalId` and `userId` to every proxied URL, after whatever the extension
 * put there (so an edited `portalId` arrives next to the real one). The caller's encoding is kept.
 */
export function proxiedUrl(url: string, portalId: number, userId: number): string {
  const sep = !url.includes('?') ? '?' : url.endsWith('?') || url.endsWith('&') ? '' : '&';
  return `${url}${sep}portalId=${portalId}&userId=${userId}`;
}

function refused(status: number, category: string, message: string, p: ProxyFetchInput, method: string): ProxyFetchResult {
  return {
    status,
    headers: { 'content-type': 'application/json' },
    body: { category, status: 'error', message, context: { httpMethod: [method], portalId: [String(p.portalId)], requestUri: [p.url] } },
  };
}

/** The local-dev proxy's two header checks, in its order. */
function headerProblem(headers: Record<string, string> | undefined): string | null {
  const keys = Object.keys(headers ?? {});
  if (keys.length > 1) return PROXY_ERRORS.tooManyHeaders;
  if (keys.some((k) => k.toLowerCase() !== 'authorization')) return PROXY_ERRORS.invalidHeaders;
  return null;
}

const isJsonObject = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;

async function readBody(res: globalThis.Response): Promise<unknown> {
  const buf = Buffer.from(await res.arrayBuffer());
  if (buf.length > PROXY_MAX_BYTES) throw new Error(`hubspot.fetch: response larger than ${PROXY_MAX_BYTES} bytes`);
  const text = buf.toString('utf8');
  if ((res.headers.get('content-type') ?? '').includes('json') && text !== '') {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text === '' ? null : text;
}

/** Legacy v2 signature HubSpot still sends next to v3 (apps should ignore it). */
function legacyV2(secret: string, method: string, url: string, body: string) {
  return {
    'X-HubSpot-Signature': createHash('sha256').update(secret + method + url + body, 'utf8').digest('hex'),
    'X-HubSpot-Signature-Version': 'v2',
  };
}

/**
 * Behaves like `hubspot.fetch` through HubSpot's proxy: refuses request headers but Authorization
 * (400) and bodies that are not JSON objects (400) without calling the app; at most 20 calls in
 * flight per app and portal (429); appends HubSpot's portalId & userId; signs v3 over the URL as
 * sent; 15 s default timeout (`timeout` up to 120 s) → rejects; one retry on a connection error or
 * a 5xx; 1 MB limits both ways (rejects).
 */
export async function proxyFetch(
  secret: string,
  now: () => number,
  inFlight: ProxyState,
  appId: number,
  p: ProxyFetchInput,
): Promise<ProxyFetchResult> {
  const method = (p.method ?? 'GET').toUpperCase();
  const badHeader = headerProblem(p.headers);
  if (badHeader) return refused(400, 'VALIDATION_ERROR', badHeader, p, method);
  const hasBody = method !== 'GET' && method !== 'HEAD' && p.body !== undefined && p.body !== null;
  if (hasBody && !isJsonObject(p.body)) return refused(400, 'VALIDATION_ERROR', PROXY_ERRORS.invalidBody, p, method);
  const body = hasBody ? JSON.stringify(p.body) : '';
  if (Buffer.byteLength(body) > PROXY_MAX_BYTES) throw new Error(`hubspot.fetch: request body larger than ${PROXY_MAX_BYTES} bytes`);

  const slot = `${appId}:${p.portalId}`;
  const busy = inFlight.get(slot) ?? 0;
  if (busy >= PROXY_MAX_CONCURRENT) return refused(429, 'RATE_LIMITS', PROXY_ERRORS.tooManyRequests, p, method);
  inFlight.set(slot, busy + 1);
  try {
    return await forward(secret, now, p, method, body);
  } finally {
    const left = (inFlight.get(slot) ?? 1) - 1;
    if (left > 0) inFlight.set(slot, left);
    else inFlight.delete(slot);
  }
}

async function forward(secret: string, now: () => number, p: ProxyFetchInput, method: string, body: string): Promise<ProxyFetchResult> {
  // What goes on the wire is what is signed: URL() only escapes characters a URL cannot carry.
  const url = new URL(proxiedUrl(p.url, p.portalId, p.userId)).href;
  const timeout = proxyTimeout(p.timeout);
  const signal = AbortSignal.timeout(timeout);
  const authorization = Object.entries(p.headers ?? {}).find(([k]) => k.toLowerCase() === 'authorization')?.[1];
  const attempt = () => {
    const ts = p.timestamp ?? now();
    return fetch(url, {
      method,
      signal,
      headers: {
        ...(authorization ? { Authorization: authorization } : {}),
        ...(body ? { 'Content-Type': 'application/json' } : {}),
        Accept: 'application/json',
        'User-Agent': 'HubSpot Connect 2.0 (http://dev.hubspot.com/) - UIExtensionsProxy',
        ...signHeaders(secret, method, url, body, ts),
        ...legacyV2(secret, method, url, body),
      },
      ...(body ? { body } : {}),
    });
  };
  const timedOut = () => new Error(`hubspot.fetch: request to ${p.url} timed out after ${timeout} ms`);

  let res: globalThis.Response;
  try {
    res = await attempt();
    if (res.status >= 500) {
      await res.arrayBuffer().catch(() => undefined);
      res = await attempt();
    }
  } catch (e) {
    if (signal.aborted) throw timedOut();
    try {
      res = await attempt(); // one retry on connection errors
    } catch (e2) {
      if (signal.aborted) throw timedOut();
      throw e2 instanceof Error ? e2 : e;
    }
  }
  const headers: Record<string, string> = {};
  res.headers.forEach((v, k) => (headers[k] = v));
  return { status: res.status, body: await readBody(res), headers };
}
