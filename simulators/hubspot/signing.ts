// How HubSpot signs what it sends to the app's backend (X-HubSpot-Signature-v3), and app webhooks.
// `hubspot.fetch` through HubSpot's proxy: proxy.ts.
import { createHash, createHmac, randomInt } from 'node:crypto';

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
