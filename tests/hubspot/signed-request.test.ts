import type { Router } from 'express';
import request from 'supertest';
import type { AppContext, Domain } from '../../src/app-context.js';
import { ManualClock } from '../../src/clock.js';
import { callerOf, requireHubSpotSignature, signHubSpotV3 } from '../../src/http/signed-request.js';
import { NO_DOMAINS, startTestRuntime, type TestRuntime } from '../helpers/runtime.js';
import { signedParts, signedRequest } from '../helpers/signed.js';

const T0 = Date.parse('2026-04-01T12:00:00Z');
const clock = new ManualClock(T0);

const probe = (ctx: AppContext): Domain => ({
  name: 'probe',
  mountRoutes(router: Router) {
    router.use('/api/v1', requireHubSpotSignature(ctx));
    router.get('/api/v1/whoami', (req, res) => {
      res.json({ caller: callerOf(req) });
    });
    router.post('/api/v1/echo', (req, res) => {
      res.json({ caller: callerOf(req), body: req.body });
    });
    router.post('/webhooks/probe', requireHubSpotSignature(ctx, { bindCaller: false }), (req, res) => {
      res.json({ ok: true, n: Array.isArray(req.body) ? req.body.length : 0 });
    });
  },
});

let rt: TestRuntime;
beforeAll(async () => {
  rt = await startTestRuntime({ clock, domains: { ...NO_DOMAINS, extra: (ctx) => [probe(ctx)] }, work: false });
  await rt.db.query(`INSERT INTO portals (id, status) VALUES (101, 'installed'), (102, 'uninstalled')`);
});
afterAll(async () => {
  await rt?.close();
});
beforeEach(() => clock.set(T0));

const base = { portalId: 101, userId: 7, timestamp: T0 } as const;

describe('X-HubSpot-Signature-v3', () => {
  test('a valid GET binds the portal and user from the query', async () => {
    const res = await signedRequest(rt.app, { ...base, method: 'GET', path: '/api/v1/whoami', query: { x: 'a b' } });
    expect(res.status).toBe(200);
    expect(res.body.caller).toEqual({ portalId: 101, userId: 7 });
  });

  test('a valid POST with a JSON body (raw bytes, not re-serialised)', async () => {
    // Spacing and key order that JSON.stringify(req.body) would not reproduce.
    const raw = '{ "text" :"¿Hola? ñ",  "a":1 }';
    const res = await signedRequest(rt.app, { ...base, method: 'POST', path: '/api/v1/echo', body: raw });
    expect(res.status).toBe(200);
    expect(res.body.body).toEqual({ text: '¿Hola? ñ', a: 1 });
  });

  test('tampered body, query, method or timestamp → 401', async () => {
    const p = signedParts({ ...base, method: 'POST', path: '/api/v1/echo', body: { text: 'hi' } });
    const ok = await request(rt.app).post(p.pathAndQuery).set(p.headers).send(p.body);
    expect(ok.status).toBe(200);

    const body = await request(rt.app).post(p.pathAndQuery).set(p.headers).send('{"text":"hi!"}');
    expect(body.status).toBe(401);
    expect(body.body.error.code).toBe('UNAUTHORIZED');

    const query = await request(rt.app).post(p.pathAndQuery.replace('portalId=101', 'portalId=102')).set(p.headers).send(p.body);
    expect(query.status).toBe(401);

    const g = signedParts({ ...base, method: 'GET', path: '/api/v1/whoami' });
    const method = await request(rt.app).post(g.pathAndQuery).set(g.headers).set('Content-Type', 'application/json').send('');
    expect(method.status).toBe(401);

    const ts = await request(rt.app)
      .post(p.pathAndQuery)
      .set({ ...p.headers, 'X-HubSpot-Request-Timestamp': String(T0 - 1000) })
      .send(p.body);
    expect(ts.status).toBe(401);
  });

  test('missing headers or a wrong secret → 401', async () => {
    const none = await request(rt.app).get('/api/v1/whoami?portalId=101&userId=7');
    expect(none.status).toBe(401);
    const wrong = await signedRequest(rt.app, { ...base, method: 'GET', path: '/api/v1/whoami', secret: 'not-the-secret' });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({ error: { code: 'UNAUTHORIZED', message: expect.any(String) } });
  });

  test('older than 5 minutes → 401; within 5 minutes → ok; far future → 401', async () => {
    clock.set(T0 + 5 * 60 * 1000 - 1);
    expect((await signedRequest(rt.app, { ...base, method: 'GET', path: '/api/v1/whoami' })).status).toBe(200);
    clock.set(T0 + 5 * 60 * 1000 + 1);
    const old = await signedRequest(rt.app, { ...base, method: 'GET', path: '/api/v1/whoami' });
    expect(old.status).toBe(401);
    clock.set(T0 - 10 * 60 * 1000);
    expect((await signedRequest(rt.app, { ...base, method: 'GET', path: '/api/v1/whoami' })).status).toBe(401);
    clock.set(T0 - 5 * 1000); // a few seconds of skew is fine
    expect((await signedRequest(rt.app, { ...base, method: 'GET', path: '/api/v1/whoami' })).status).toBe(200);
  });

  test('behind a proxy that terminates TLS: the URL is rebuilt from PUBLIC_BASE_URL', async () => {
    const res = await signedRequest(rt.app, {
      ...base,
      method: 'GET',
      path: '/api/v1/whoami',
      headers: { Host: 'internal-lb:8080', 'X-Forwarded-Proto': 'http', 'X-Forwarded-Host': 'evil.example' },
    });
    expect(res.status).toBe(200);
    // Signed over what the proxy saw internally instead of the public URL: refused.
    const internal = signedRequest(rt.app, { ...base, method: 'GET', path: '/api/v1/whoami', baseUrl: 'http://internal-lb:8080' });
    expect((await internal).status).toBe(401);
  });

  test("HubSpot's URL-decoding quirk: a signature over the decoded URI is accepted", async () => {
    const path = '/api/v1/whoami?q=a%3Ab%2Fc%40d%2C(e)&portalId=101&userId=7';
    const ts = String(T0);
    const decoded = 'https://app.example.test/api/v1/whoami?q=a:b/c@d,(e)&portalId=101&userId=7';
    const sig = signHubSpotV3({ method: 'GET', url: decoded, body: '', timestamp: ts, secret: rt.config.hubspot.clientSecret });
    const res = await request(rt.app).get(path).set({ 'X-HubSpot-Signature-v3': sig, 'X-HubSpot-Request-Timestamp': ts });
    expect(res.status).toBe(200);
    const asIs = signHubSpotV3({ method: 'GET', url: 'https://app.example.test' + path, body: '', timestamp: ts, secret: rt.config.hubspot.clientSecret });
    const res2 = await request(rt.app).get(path).set({ 'X-HubSpot-Signature-v3': asIs, 'X-HubSpot-Request-Timestamp': ts });
    expect(res2.status).toBe(200);
  });

  test('caller must be named and installed', async () => {
    const noCaller = await signedRequest(rt.app, { method: 'GET', path: '/api/v1/whoami', timestamp: T0 });
    expect(noCaller.status).toBe(401);
    const bad = await signedRequest(rt.app, { method: 'GET', path: '/api/v1/whoami', query: { portalId: 'abc', userId: 1 }, timestamp: T0 });
    expect(bad.status).toBe(401);
    const uninstalled = await signedRequest(rt.app, { ...base, portalId: 102, method: 'GET', path: '/api/v1/whoami' });
    expect(uninstalled.status).toBe(403);
    expect(uninstalled.body.error.code).toBe('FORBIDDEN');
    const unknown = await signedRequest(rt.app, { ...base, portalId: 999, method: 'GET', path: '/api/v1/whoami' });
    expect(unknown.status).toBe(403);
  });

  test('webhook mode checks only the signature', async () => {
    const ok = await signedRequest(rt.app, { method: 'POST', path: '/webhooks/probe', body: [{ a: 1 }], timestamp: T0 });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ ok: true, n: 1 });
    const bad = await signedRequest(rt.app, { method: 'POST', path: '/webhooks/probe', body: [{ a: 1 }], timestamp: T0, secret: 'x' });
    expect(bad.status).toBe(401);
  });
});
