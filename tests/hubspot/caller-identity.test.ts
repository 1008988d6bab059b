// Issue 10.7 / 17.3: the extension appends portalId/userId and HubSpot's proxy appends its own, so
// each may appear twice: equal values are one caller, different ones are refused (401). Signatures
// are accepted over any configured base URL (HUBSPOT_SIGNED_BASE_URLS: public, and the local origin
// that `hs project dev` signs).
import type { Router } from 'express';
import request from 'supertest';
import type { AppContext, Domain } from '../../src/app-context.js';
import { ManualClock } from '../../src/clock.js';
import { ConfigError } from '../../src/config.js';
import { callerFromQuery, callerOf, requireHubSpotSignature, signHubSpotV3 } from '../../src/http/signed-request.js';
import { TEST_SECRETS, testConfig } from '../helpers/config.js';
import { NO_DOMAINS, startTestRuntime, type TestRuntime } from '../helpers/runtime.js';

const T0 = Date.parse('2026-04-01T12:00:00Z');
const clock = new ManualClock(T0);

const probe = (ctx: AppContext): Domain => ({
  name: 'identity-probe',
  mountRoutes(router: Router) {
    router.get('/api/v1/whoami', requireHubSpotSignature(ctx), (req, res) => {
      res.json({ caller: callerOf(req) });
    });
  },
});

/** GET pathAndQuery exactly as given, signed over `base + pathAndQuery`. */
function signedGet(rt: TestRuntime, pathAndQuery: string, base = 'https://app.example.test') {
  const ts = String(T0);
  const sig = signHubSpotV3({ method: 'GET', url: base + pathAndQuery, body: '', timestamp: ts, secret: TEST_SECRETS.HUBSPOT_CLIENT_SECRET });
  return request(rt.app).get(pathAndQuery).set('X-HubSpot-Signature-v3', sig).set('X-HubSpot-Request-Timestamp', ts);
}

let rt: TestRuntime;
let dev: TestRuntime;
beforeAll(async () => {
  rt = await startTestRuntime({ clock, domains: { ...NO_DOMAINS, extra: (ctx) => [probe(ctx)] }, work: false });
  dev = await startTestRuntime({
    db: rt.db, // one database, two configurations
    clock,
    domains: { ...NO_DOMAINS, extra: (ctx) => [probe(ctx)] },
    work: false,
    env: { HUBSPOT_SIGNED_BASE_URLS: 'https://app.example.test, http://localhost:8080/' },
  });
  await rt.db.query(`INSERT INTO portals (id, status) VALUES (101, 'installed'), (102, 'installed')`);
});
afterAll(async () => {
  await dev?.close();
  await rt?.close();
});

describe('caller identity from the signed query', () => {
  test('portalId and userId named twice with equal values are one caller', async () => {
    const r = await signedGet(rt, '/api/v1/whoami?portalId=101&userId=7&portalId=101&userId=7');
    expect(r.status).toBe(200);
    expect(r.body.caller).toEqual({ portalId: 101, userId: 7 });
  });

  test('a portalId or userId edited in the URL next to HubSpot’s own is refused with 401', async () => {
    const portal = await signedGet(rt, '/api/v1/whoami?portalId=102&userId=7&portalId=101&userId=7');
    expect(portal.status).toBe(401);
    expect(portal.body.error).toMatchObject({ code: 'UNAUTHORIZED', message: expect.stringContaining('two different') });
    const user = await signedGet(rt, '/api/v1/whoami?portalId=101&userId=8&portalId=101&userId=7');
    expect(user.status).toBe(401);
  });

  test('callerFromQuery: missing, malformed, equal and conflicting values', () => {
    expect(callerFromQuery('/x?portalId=1&userId=2')).toEqual({ portalId: 1, userId: 2 });
    expect(callerFromQuery('/x?portalId=1')).toBe('missing');
    expect(callerFromQuery('/x?portalId=1&userId=2&userId=abc')).toBe('missing');
    expect(callerFromQuery('/x?portalId=01&userId=2')).toBe('missing');
    expect(callerFromQuery('/x?portalId=1&portalId=3&userId=2')).toBe('conflict');
  });
});

describe('HUBSPOT_SIGNED_BASE_URLS', () => {
  const q = '/api/v1/whoami?portalId=101&userId=7';

  test('default: only PUBLIC_BASE_URL; a signature over the local origin is refused', async () => {
    expect(rt.config.hubspot.signedBaseUrls).toEqual(['https://app.example.test']);
    expect((await signedGet(rt, q)).status).toBe(200);
    expect((await signedGet(rt, q, 'http://localhost:8080')).status).toBe(401);
  });

  test('listed: the public URL and the local origin hs project dev signs are both accepted, others are not', async () => {
    expect(dev.config.hubspot.signedBaseUrls).toEqual(['https://app.example.test', 'http://localhost:8080']);
    expect((await signedGet(dev, q)).status).toBe(200);
    expect((await signedGet(dev, q, 'http://localhost:8080')).status).toBe(200);
    expect((await signedGet(dev, q, 'http://localhost:9999')).status).toBe(401);
  });

  test('bad values are refused at start-up with the variable named; production accepts only https', () => {
    expect(() => testConfig({ HUBSPOT_SIGNED_BASE_URLS: 'https://a.example,ftp://b' })).toThrow(/HUBSPOT_SIGNED_BASE_URLS/);
    const prod = () => testConfig({ NODE_ENV: 'production', HUBSPOT_SIGNED_BASE_URLS: 'https://a.example,http://localhost:8080' });
    expect(prod).toThrow(ConfigError);
    expect(prod).toThrow(/only https/);
  });
});
