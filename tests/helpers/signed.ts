import type { Express } from 'express';
import request from 'supertest';
import { signHubSpotV3 } from '../../src/http/signed-request.js';
import { TEST_SECRETS } from './config.js';

/** PUBLIC_BASE_URL of testConfig(): HubSpot's proxy signs the public URL, not the one supertest calls. */
export const TEST_PUBLIC_BASE_URL = 'https://app.example.test';

export interface SignedRequestOptions {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path without query, e.g. `/api/v1/settings`. */
  path: string;
  /** Extra query parameters (portalId and userId are added after them, as HubSpot's proxy does). */
  query?: Record<string, string | number | boolean | undefined>;
  /** JSON body (sent as exactly the bytes that were signed), or a raw string. */
  body?: unknown;
  /** Omit both for webhook calls (HubSpot names no caller there). */
  portalId?: number;
  userId?: number;
  /** Default: the test HubSpot client secret. */
  secret?: string;
  /** ms since epoch; default Date.now(). Pass the app clock's time when it uses a ManualClock. */
  timestamp?: number;
  /** Default https://app.example.test (testConfig's PUBLIC_BASE_URL). */
  baseUrl?: string;
  headers?: Record<string, string>;
}

/** The path and query HubSpot would call, and the headers it would send. */
export function signedParts(o: SignedRequestOptions): { pathAndQuery: string; body: string; headers: Record<string, string> } {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(o.query ?? {})) if (v !== undefined) params.append(k, String(v));
  if (o.portalId !== undefined) params.append('portalId', String(o.portalId));
  if (o.userId !== undefined) params.append('userId', String(o.userId));
  const qs = params.toString();
  const pathAndQuery = qs ? `${o.path}?${qs}` : o.path;
  const body = o.body === undefined || o.method === 'GET' ? '' : typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
  const timestamp = String(o.timestamp ?? Date.now());
  const signature = signHubSpotV3({
    method: o.method,
    url: (o.baseUrl ?? TEST_PUBLIC_BASE_URL) + pathAndQuery,
    body,
    timestamp,
    secret: o.secret ?? TEST_SECRETS.HUBSPOT_CLIENT_SECRET,
  });
  return {
    pathAndQuery,
    body,
    headers: {
      'X-HubSpot-Signature-v3': signature,
      'X-HubSpot-Request-Timestamp': timestamp,
      ...(body ? { 'Content-Type': 'application/json' } : {}),
      ...(o.headers ?? {}),
    },
  };
}

/** A supertest request signed the way HubSpot's `hubspot.fetch` proxy signs it. Await it or chain `.expect()`. */
export function signedRequest(app: Express, o: SignedRequestOptions): request.Test {
  const { pathAndQuery, body, headers } = signedParts(o);
  const agent = request(app);
  const method = o.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete';
  let t = agent[method](pathAndQuery);
  for (const [k, v] of Object.entries(headers)) t = t.set(k, v);
  if (body) t = t.send(body);
  return t;
}
