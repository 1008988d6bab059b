import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createHubSpotSimulator } from '../../../simulators/hubspot/index.js';
import { CLIENT_ID, CLIENT_SECRET } from './helpers.js';

/** Independent v3 check, as in the platform notes (§4.3). */
function isValidV3(p: { method: string; fullUrl: string; rawBody: string; signature?: string; timestamp?: string; secret: string }) {
  const ts = Number(p.timestamp);
  if (!p.signature || !Number.isFinite(ts)) return false;
  if (Date.now() - ts > 5 * 60 * 1000) return false;
  const source = p.method.toUpperCase() + p.fullUrl + p.rawBody + p.timestamp;
  const expected = Buffer.from(createHmac('sha256', p.secret).update(source, 'utf8').digest('base64'));
  const got = Buffer.from(p.signature);
  return expected.length === got.length && timingSafeEqual(expected, got);
}

interface Seen { method: string; url: string; rawBody: string; valid: boolean; query: Record<string, unknown>; headers: Record<string, unknown> }

/** A tiny receiver standing in for the app backend; validates every request it gets. */
async function receiver(handler?: (seen: Seen, res: express.Response) => void) {
  const seen: Seen[] = [];
  const app = express();
  app.use(express.raw({ type: '*/*' }));
  let base = '';
  app.all('/{*rest}', (req, res) => {
    const rawBody = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
    const s: Seen = {
      method: req.method, url: base + req.originalUrl, rawBody, query: req.query as Record<string, unknown>, headers: req.headers,
      valid: isValidV3({
        method: req.method, fullUrl: base + req.originalUrl, rawBody, secret: CLIENT_SECRET,
        signature: req.get('x-hubspot-signature-v3'), timestamp: req.get('x-hubspot-request-timestamp'),
      }),
    };
    seen.push(s);
    if (handler) handler(s, res);
    else res.json({ ok: true, echo: rawBody ? JSON.parse(rawBody) : null });
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { seen, base, close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

describe('HubSpot simulator: request signing', () => {
  const sim = createHubSpotSimulator({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });

  it('signRequest matches an independent HMAC-SHA256 computation', () => {
    const body = JSON.stringify({ text: 'hola ñandú' });
    const h = sim.signRequest({ method: 'post', url: 'https://api.example.com/api/v1/x?portalId=1&userId=2', body, timestamp: 1775044800000 });
    const expected = createHmac('sha256', CLIENT_SECRET)
      .update(`POSThttps://api.example.com/api/v1/x?portalId=1&userId=2${body}1775044800000`, 'utf8').digest('base64');
    expect(h).toEqual({ 'X-HubSpot-Signature-v3': expected, 'X-HubSpot-Request-Timestamp': '1775044800000' });
    const other = sim.signRequest({ method: 'GET', url: 'https://a/b', clientSecret: 'another', timestamp: 1 });
    expect(other['X-HubSpot-Signature-v3']).toBe(createHmac('sha256', 'another').update('GEThttps://a/b1').digest('base64'));
  });

  it('proxyFetch appends portalId & userId, sends JSON and signs v3 over the full URL', async () => {
    const r = await receiver();
    try {
      const post = await sim.proxyFetch({
        url: `${r.base}/api/v1/contacts/51/messages?before=2026-03-30`, method: 'POST', body: { text: 'Hola 👋' }, portalId: 4242, userId: 1001,
      });
      expect(post.status).toBe(200);
      expect(post.body).toEqual({ ok: true, echo: { text: 'Hola 👋' } });
      const s = r.seen[0];
      expect(s.valid).toBe(true);
      expect(s.method).toBe('POST');
      expect(s.url).toBe(`${r.base}/api/v1/contacts/51/messages?before=2026-03-30&portalId=4242&userId=1001`);
      expect(s.query).toMatchObject({ portalId: '4242', userId: '1001', before: '2026-03-30' });
      expect(s.headers['content-type']).toBe('application/json');
      expect(s.rawBody).toBe(JSON.stringify({ text: 'Hola 👋' }));

      const get = await sim.proxyFetch({ url: `${r.base}/api/v1/templates`, portalId: 4242, userId: 1001 });
      expect(get.status).toBe(200);
      expect(r.seen[1]).toMatchObject({ method: 'GET', rawBody: '', valid: true, url: `${r.base}/api/v1/templates?portalId=4242&userId=1001` });
    } finally {
      await r.close();
    }
  });

  it('proxyFetch retries once on 5xx and a forged signature fails the independent check', async () => {
    let calls = 0;
    const r = await receiver((_s, res) => {
      calls += 1;
      if (calls === 1) res.status(502).json({ error: 'bad gateway' });
      else res.status(201).json({ done: true });
    });
    try {
      const res = await sim.proxyFetch({ url: `${r.base}/api/v1/x`, method: 'POST', body: { a: 1 }, portalId: 1, userId: 2 });
      expect(res).toMatchObject({ status: 201, body: { done: true } });
      expect(r.seen).toHaveLength(2);
      expect(r.seen.every((s) => s.valid)).toBe(true);

      const forged = createHubSpotSimulator({ clientId: CLIENT_ID, clientSecret: 'wrong-secret' });
      await forged.proxyFetch({ url: `${r.base}/api/v1/x`, portalId: 1, userId: 2 });
      expect(r.seen[2].valid).toBe(false);
    } finally {
      await r.close();
    }
  });

  it('sendWebhook POSTs a signed JSON array like HubSpot webhooks', async () => {
    const r = await receiver((_s, res) => res.status(204).end());
    try {
      const event = sim.privacyDeletionEvent({ portalId: 4242, objectId: '51' });
      const status = await sim.sendWebhook({ targetUrl: `${r.base}/webhooks/hubspot`, events: [event] });
      expect(status).toBe(204);
      const s = r.seen[0];
      expect(s.valid).toBe(true);
      expect(s.method).toBe('POST');
      expect(JSON.parse(s.rawBody)).toEqual([expect.objectContaining({ subscriptionType: 'contact.privacyDeletion', portalId: 4242, objectId: 51 })]);
    } finally {
      await r.close();
    }
  });

  it('listen() serves the API on an ephemeral port', async () => {
    const server = await sim.listen();
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const res = await fetch(`${server.url}/crm/owners/2026-03`);
      expect(res.status).toBe(401);
      expect(((await res.json()) as { category: string }).category).toBe('INVALID_AUTHENTICATION');
    } finally {
      await server.close();
    }
  });
});
