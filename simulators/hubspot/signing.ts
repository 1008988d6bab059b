// What HubSpot sends to the app's backend: `hubspot.fetch` calls through HubSpot's proxy and app
// webhooks, both signed with X-HubSpot-Signature-v3.
import { createHash, createHmac, randomInt } from 'node:crypto';

export const PROXY_TIMEOUT_MS = 15_000;
export const PROXY_MAX_BYTES = 1024 * 1024;
export const WEBHOOK_TIMEOUT_MS = 5_000;

/** base64(HMAC-SHA256(clientSecret, method + url + body + timestamp)) */
export function signatureV3(secret: string, method: string, url: string, body: string, timestamp: number | string): string {
  return createHmac('sha256', secret).update(`${method.toUpperCase()}${url}${body}${timestamp}`, 'utf8').digest('base64');
}

export interface SignedHeaders {
  'X-HubSpot-Signature-v3': string;
  'X-HubSpot-Request-Timestamp': string;
}

export function signHeaders(secret: string, method: string, url: string, body: string, timestamp: number): SignedHeaders {
  return {
    'X-HubSpot-Signature-v3': signatureV3(secret, method, url, body, timestamp),
    'X-HubSpot-Request-Timestamp': String(timestamp),
  };
}

/** Legacy v1/v2 signatures HubSpot still sends next to v3 (apps should ignore them). */
function legacySignature(secret: string, version: 'v1' | 'v2', method: string, url: string, body: string) {
  const source = version === 'v1' ? secret + body : secret + method.toUpperCase() + url + body;
  return {
    'X-HubSpot-Signature': createHash('sha256').update(source, 'utf8').digest('hex'),
    'X-HubSpot-Signature-Version': version,
  };
}

export interface ProxyFetchInput {
  url: string;
  method?: string;
  body?: unknown;
  portalId: number;
  userId: number;
  /** extra headers the extension passes */
  headers?: Record<string, string>;
  /** ms, capped at HubSpot's 15 s */
  timeout?: number;
  /** X-HubSpot-Request-Timestamp to sign with (default: the simulator clock) */
  timestamp?: number;
}

export interface ProxyFetchResult {
  status: number;
  body: any;
  headers: Record<string, string>;
}

/** Appends portalId and userId unless the URL already carries them (keeps the caller's encoding). */
export function proxiedUrl(url: string, portalId: number, userId: number): string {
  const query = url.includes('?') ? url.slice(url.indexOf('?') + 1) : '';
  const have = new Set(query.split('&').map((kv) => decodeURIComponent(kv.split('=')[0] ?? '')));
  const add: string[] = [];
  if (!have.has('portalId')) add.push(`portalId=${portalId}`);
  if (!have.has('userId')) add.push(`userId=${userId}`);
  if (add.length === 0) return url;
  return url + (url.includes('?') ? (url.endsWith('?') || url.endsWith('&') ? '' : '&') : '?') + add.join('&');
}

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

/**
 * Behaves like `hubspot.fetch` through HubSpot's proxy: appends portalId & userId, sends the body as
 * JSON, signs v3 with the client secret, times out after 15 s, retries once on connection errors
 * and 5xx, and enforces the 1 MB request/response limits. Rejects on timeout like hubspot.fetch.
 */
export async function proxyFetch(secret: string, now: () => number, p: ProxyFetchInput): Promise<ProxyFetchResult> {
  const method = (p.method ?? 'GET').toUpperCase();
  const url = proxiedUrl(p.url, p.portalId, p.userId);
  const body = method === 'GET' || method === 'HEAD' || p.body === undefined ? '' : JSON.stringify(p.body);
  if (Buffer.byteLength(body) > PROXY_MAX_BYTES) throw new Error(`hubspot.fetch: request body larger than ${PROXY_MAX_BYTES} bytes`);
  const timeout = Math.min(p.timeout ?? PROXY_TIMEOUT_MS, PROXY_TIMEOUT_MS);
  const signal = AbortSignal.timeout(timeout);

  const attempt = async () => {
    const ts = p.timestamp ?? now();
    const res = await fetch(url, {
      method,
      signal,
      headers: {
        ...(p.headers ?? {}),
        ...(body ? { 'Content-Type': 'application/json' } : {}),
        Accept: 'application/json',
        'User-Agent': 'HubSpot Connect 2.0 (http://dev.hubspot.com/) - UIExtensionsProxy',
        ...signHeaders(secret, method, url, body, ts),
        ...legacySignature(secret, 'v2', method, url, body),
      },
      ...(body ? { body } : {}),
    });
    return res;
  };

  let res: globalThis.Response;
  try {
    res = await attempt();
    if (res.status >= 500) {
      await res.arrayBuffer().catch(() => undefined);
      res = await attempt();
    }
  } catch (e) {
    if (signal.aborted) throw new Error(`hubspot.fetch: request to ${p.url} timed out after ${timeout} ms`);
    try {
      res = await attempt(); // one retry on connection errors
    } catch (e2) {
      if (signal.aborted) throw new Error(`hubspot.fetch: request to ${p.url} timed out after ${timeout} ms`);
      throw e2 instanceof Error ? e2 : e;
    }
  }
  const headers: Record<string, string> = {};
  res.headers.forEach((v, k) => (headers[k] = v));
  return { status: res.status, body: await readBody(res), headers };
}

/** POSTs events the way HubSpot's webhooks do; resolves with the receiver's HTTP status. */
export async function sendWebhook(
  secret: string,
  now: () => number,
  p: { targetUrl: string; events: object[]; timestamp?: number },
): Promise<number> {
  const body = JSON.stringify(p.events);
  const res = await fetch(p.targetUrl, {
    method: 'POST',
    signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
    headers: {
      'Content-Type': 'application/json',
      'User-Agent': 'HubSpot Connect 2.0 (http://dev.hubspot.com/) - WebhooksExecutorDaemon-executor',
      ...signHeaders(secret, 'POST', p.targetUrl, body, p.timestamp ?? now()),
      ...legacySignature(secret, 'v1', 'POST', p.targetUrl, body),
    },
    body,
  });
  await res.arrayBuffer().catch(() => undefined);
  return res.status;
}

/** A `contact.privacyDeletion` event as HubSpot delivers it (one element of the webhook array). */
export function contactPrivacyDeletionEvent(p: { portalId: number; appId: number; objectId: number | string; occurredAt: number }) {
  return {
    eventId: randomInt(1, 2 ** 31),
    subscriptionId: randomInt(1, 2 ** 31),
    portalId: p.portalId,
    appId: p.appId,
    occurredAt: p.occurredAt,
    subscriptionType: 'contact.privacyDeletion',
    attemptNumber: 0,
    objectId: Number(p.objectId),
    changeSource: 'GDPR',
  };
}
