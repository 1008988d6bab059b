// The simulator's `hubspot.fetch` proxy keeps HubSpot's rules (docs/hubspot-tools.md), one test each.
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHubSpotSimulator, PROXY_ERRORS, PROXY_MAX_CONCURRENT } from '../../../simulators/hubspot/index.js';
import { proxyTimeout } from '../../../simulators/hubspot/proxy.js';
import { CLIENT_ID, CLIENT_SECRET } from './helpers.js';

interface Seen {
  method: string;
  url: string;
  body: string;
  headers: http.IncomingHttpHeaders;
}

/** A stand-in backend on a loopback port; `handle` answers (default: 200 {"ok":true}). */
async function backend(handle?: (s: Seen, res: http.ServerResponse, req: http.IncomingMessage) => void) {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s = { method: req.method ?? '', url: req.url ?? '', body: Buffer.concat(chunks).toString('utf8'), headers: req.headers };
      seen.push(s);
      if (handle) return handle(s, res, req);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    seen,
    base,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

const sim = createHubSpotSimulator({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
const who = { portalId: 4242, userId: 1001 };

describe("the simulator's hubspot.fetch proxy behaves like HubSpot's", () => {
  it('refuses any request header but Authorization with HubSpot’s 400, and the backend sees nothing', async () => {
    const b = await backend();
    try {
      const res = await sim.proxyFetch({ ...who, url: `${b.base}/api/v1/x`, method: 'POST', body: { a: 1 }, headers: { 'Idempotency-Key': 'k-1' } });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ category: 'VALIDATION_ERROR', status: 'error', message: PROXY_ERRORS.invalidHeaders });
      expect(res.body.message).toBe("Invalid Request Headers provided. Only 'Authorization' header is allowed from hubspot.fetch()");
      const two = await sim.proxyFetch({ ...who, url: `${b.base}/api/v1/x`, headers: { Authorization: 'Bearer t', 'X-Other': '1' } });
      expect(two).toMatchObject({ status: 400, body: { message: "Only 'Authorization' header is allowed" } });
      expect(b.seen).toHaveLength(0);

      const auth = await sim.proxyFetch({ ...who, url: `${b.base}/api/v1/x`, headers: { Authorization: 'Bearer t' } });
      expect(auth.status).toBe(200);
      expect(b.seen[0]!.headers.authorization).toBe('Bearer t');
    } finally {
      await b.close();
    }
  });

  it('sends only JSON objects as bodies', async () => {
    const b = await backend();
    try {
      for (const body of [[{ a: 1 }], 'text', 42]) {
        const res = await sim.proxyFetch({ ...who, url: `${b.base}/api/v1/x`, method: 'PUT', body });
        expect(res).toMatchObject({ status: 400, body: { category: 'VALIDATION_ERROR', message: PROXY_ERRORS.invalidBody } });
      }
      expect(b.seen).toHaveLength(0);
      await sim.proxyFetch({ ...who, url: `${b.base}/api/v1/x`, method: 'PUT', body: { agents: [] } });
      expect(b.seen[0]).toMatchObject({ body: '{"agents":[]}', headers: { 'content-type': 'application/json' } });
    } finally {
      await b.close();
    }
  });

  it('refuses a request body or a response over 1 MB', async () => {
    const big = 'x'.repeat(1024 * 1024);
    const b = await backend((_s, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ big })));
    try {
      await expect(sim.proxyFetch({ ...who, url: `${b.base}/api/v1/x`, method: 'POST', body: { big } })).rejects.toThrow(/request body larger/);
      expect(b.seen).toHaveLength(0);
      await expect(sim.proxyFetch({ ...who, url: `${b.base}/api/v1/x` })).rejects.toThrow(/response larger/);
    } finally {
      await b.close();
    }
  });

  it('times out: 15 s by default, the timeout option up to 120 s', async () => {
    expect(proxyTimeout(undefined)).toBe(15_000);
    expect(proxyTimeout(30_000)).toBe(30_000);
    expect(proxyTimeout(600_000)).toBe(120_000);
    const b = await backend(() => undefined); // never answers
    try {
      await expect(sim.proxyFetch({ ...who, url: `${b.base}/api/v1/slow`, timeout: 150 })).rejects.toThrow(/timed out after 150 ms/);
    } finally {
      await b.close();
    }
  });

  it(`lets at most ${PROXY_MAX_CONCURRENT} calls per app and portal be in flight; the next gets 429`, async () => {
    const held: http.ServerResponse[] = [];
    const b = await backend((_s, res) => held.push(res));
    try {
      const first = Array.from({ length: PROXY_MAX_CONCURRENT }, () => sim.proxyFetch({ ...who, url: `${b.base}/api/v1/x` }));
      while (b.seen.length < PROXY_MAX_CONCURRENT) await new Promise((r) => setImmediate(r));
      const over = await sim.proxyFetch({ ...who, url: `${b.base}/api/v1/x` });
      expect(over).toMatchObject({ status: 429, body: { category: 'RATE_LIMITS' } });
      expect(b.seen).toHaveLength(PROXY_MAX_CONCURRENT);

      const otherPortal = sim.proxyFetch({ portalId: 5151, userId: 1, url: `${b.base}/api/v1/x` });
      while (held.length < PROXY_MAX_CONCURRENT + 1) await new Promise((r) => setImmediate(r));
      for (const res of held.splice(0)) res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      expect((await Promise.all(first)).every((r) => r.status === 200)).toBe(true);
      expect((await otherPortal).status).toBe(200);
      b.seen.length = 0;
      const after = sim.proxyFetch({ ...who, url: `${b.base}/api/v1/x` });
      while (held.length < 1) await new Promise((r) => setImmediate(r));
      held.pop()!.writeHead(200).end();
      expect((await after).status).toBe(200);
    } finally {
      await b.close();
    }
  });

  it('retries once after a connection error (same body), and only once after a 5xx', async () => {
    let n = 0;
    const b = await backend((s, res, req) => {
      n += 1;
      if (s.url.startsWith('/api/v1/drop') && n === 1) return req.socket.destroy();
      if (s.url.startsWith('/api/v1/down')) return res.writeHead(503).end();
      res.writeHead(201, { 'content-type': 'application/json' }).end('{"done":true}');
    });
    try {
      const dropped = await sim.proxyFetch({ ...who, url: `${b.base}/api/v1/drop`, method: 'POST', body: { idempotencyKey: 'k-7', text: 'hola' } });
      expect(dropped).toMatchObject({ status: 201, body: { done: true } });
      expect(b.seen.map((s) => s.body)).toEqual(['{"idempotencyKey":"k-7","text":"hola"}', '{"idempotencyKey":"k-7","text":"hola"}']);
      b.seen.length = 0;
      const down = await sim.proxyFetch({ ...who, url: `${b.base}/api/v1/down`, method: 'POST', body: {} });
      expect(down.status).toBe(503);
      expect(b.seen).toHaveLength(2);
    } finally {
      await b.close();
    }
  });

  it('appends HubSpot’s own portalId and userId after the extension’s, and signs the URL exactly as sent', async () => {
    const b = await backend();
    try {
      const path = '/api/v1/search?q=a%3Ab+c%2Fd&portalId=999&userId=5';
      await sim.proxyFetch({ ...who, url: `${b.base}${path}`, method: 'POST', body: { x: 'ñ' } });
      const s = b.seen[0]!;
      expect(s.url).toBe(`${path}&portalId=4242&userId=1001`);
      const ts = String(s.headers['x-hubspot-request-timestamp']);
      const expected = createHmac('sha256', CLIENT_SECRET).update(`POST${b.base}${s.url}${s.body}${ts}`, 'utf8').digest('base64');
      expect(s.headers['x-hubspot-signature-v3']).toBe(expected);
    } finally {
      await b.close();
    }
  });
});
