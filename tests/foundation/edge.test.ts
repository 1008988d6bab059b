// The HTTP edge (issue 17): bodies a caller cannot make us buffer, 4xx (never 500) for bodies we
// cannot read, text PostgreSQL cannot store refused as 422, and security headers everywhere.
import http from 'node:http';
import request from 'supertest';
import type { Domain } from '../../src/app-context.js';
import { startTestRuntime, type TestRuntime } from '../helpers/runtime.js';
import { signedRequest } from '../helpers/signed.js';

const probe: Domain = {
  name: 'probe',
  mountRoutes(router) {
    router.post('/probe/echo', (req, res) => void res.json({ body: req.body }));
  },
};

let rt: TestRuntime;
const PORTAL = 515;

beforeAll(async () => {
  rt = await startTestRuntime({ domains: { extra: () => [probe] } });
  await rt.db.query(`INSERT INTO portals (id, status, installed_by_user_id) VALUES ($1, 'installed', 1)`, [PORTAL]);
});
afterAll(async () => {
  await rt?.close();
});

describe('bodies we cannot read are 4xx with a clear code, never 500', () => {
  test('an unsupported charset is 415 UNSUPPORTED_CHARSET', async () => {
    for (const path of ['/probe/echo', '/api/v1/settings', '/oauth/install']) {
      const res = await request(rt.app).post(path).set('Content-Type', 'application/json; charset=latin1').send('{"a":1}');
      expect([path, res.status, res.body.error?.code]).toEqual([path, 415, 'UNSUPPORTED_CHARSET']);
    }
  });

  test('an unsupported Content-Encoding is 415 UNSUPPORTED_ENCODING (JSON routes and the Meta webhook)', async () => {
    const json = await request(rt.app).post('/probe/echo').set('Content-Type', 'application/json').set('Content-Encoding', 'compress').send('{"a":1}');
    expect(json.status).toBe(415);
    expect(json.body.error.code).toBe('UNSUPPORTED_ENCODING');
    const hook = await request(rt.app)
      .post('/webhooks/whatsapp')
      .set('Content-Type', 'application/json')
      .set('Content-Encoding', 'x-custom')
      .set('X-Hub-Signature-256', `sha256=${'0'.repeat(64)}`)
      .send('{"object":"whatsapp_business_account"}');
    expect(hook.status).toBe(415);
    expect(hook.body.error.code).toBe('UNSUPPORTED_ENCODING');
  });

  test('a gzip body that is not gzip is 400, not 500', async () => {
    const res = await request(rt.app).post('/probe/echo').set('Content-Type', 'application/json').set('Content-Encoding', 'gzip').send('not gzip at all');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('INVALID_BODY');
  });
});

describe('text PostgreSQL cannot store is refused at the edge', () => {
  test.each([
    ['a NUL character', '{"text":"hola\\u0000mundo"}', 'text', /NUL/],
    ['a lone high surrogate', '{"text":"hola \\ud83d"}', 'text', /surrogate/],
    ['a lone low surrogate deep inside', '{"a":[{"b":"x\\ude00"}]}', 'a.0.b', /surrogate/],
    ['a NUL in a field name', '{"a":{"k\\u0000":"v"}}', 'a', /field name/],
  ])('%s → 422 VALIDATION naming the field', async (_name, raw, field, problem) => {
    const res = await request(rt.app).post('/probe/echo').set('Content-Type', 'application/json').send(raw);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('VALIDATION');
    expect(res.body.error.details[field]).toMatch(problem);
  });

  test('a signed extension call with a NUL in a rep’s text is 422 too (it used to be a 500 from PostgreSQL)', async () => {
    const res = await signedRequest(rt.app, { method: 'POST', path: '/api/v1/contacts/1/messages', portalId: PORTAL, userId: 1, body: { text: 'hola\u0000' } });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'VALIDATION', details: { text: expect.stringMatching(/NUL/) } });
    const lone = await signedRequest(rt.app, { method: 'POST', path: '/api/v1/contacts/1/messages', portalId: PORTAL, userId: 1, body: { text: 'hola \ud83d' } });
    expect(lone.status).toBe(422);
    expect(lone.body.error.details.text).toMatch(/surrogate/);
    // Storable, but it shows the customer nothing: zero-width characters only.
    const invisible = await signedRequest(rt.app, { method: 'POST', path: '/api/v1/contacts/1/messages', portalId: PORTAL, userId: 1, body: { text: '\u200b\u200d\ufeff ' } });
    expect(invisible.status).toBe(422);
    expect(invisible.body.error).toMatchObject({ code: 'VALIDATION', details: { text: expect.stringMatching(/^Write a message first/) } });
  });

  test('well-formed text (emoji, accents, CJK) passes untouched', async () => {
    const res = await request(rt.app).post('/probe/echo').send({ text: 'Hola 👋🏽 ¿qué tal? 你好' });
    expect(res.status).toBe(200);
    expect(res.body.body.text).toBe('Hola 👋🏽 ¿qué tal? 你好');
  });
});

describe('unauthenticated bodies are bounded before they are buffered', () => {
  const big = JSON.stringify({ text: 'x'.repeat(40 * 1024) });

  test('without a HubSpot signature header a JSON body over 16 KB is 413, on any route', async () => {
    for (const path of ['/probe/echo', '/api/v1/settings', '/webhooks/hubspot']) {
      const res = await request(rt.app).post(path).set('Content-Type', 'application/json').send(big);
      expect([path, res.status, res.body.error?.code]).toEqual([path, 413, 'PAYLOAD_TOO_LARGE']);
    }
  });

  test('a signed extension call may carry more (up to 1 MB): it reaches the signature check', async () => {
    const signed = await signedRequest(rt.app, { method: 'PUT', path: '/api/v1/settings', portalId: PORTAL, userId: 1, body: { note: 'x'.repeat(40 * 1024) } });
    expect(signed.status).not.toBe(413);
    const forged = await request(rt.app).put('/api/v1/settings?portalId=515&userId=1').set('Content-Type', 'application/json').set('X-HubSpot-Signature-v3', 'forged').set('X-HubSpot-Request-Timestamp', String(Date.now())).send(big);
    expect(forged.status).toBe(401);
  });

  test('a Meta webhook POST without a signature is refused before its body is read', async () => {
    const { port } = new URL((await rt.listen(0, '127.0.0.1')).url);
    // 50 MB announced, nothing sent: the answer comes at once, without waiting for (or reading) the body.
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: Number(port), method: 'POST', path: '/webhooks/whatsapp', headers: { 'Content-Type': 'application/json', 'Content-Length': String(50 * 1024 * 1024) } });
      req.on('response', (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => {
          req.destroy();
          resolve({ status: res.statusCode!, body });
        });
      });
      req.on('error', reject);
      req.flushHeaders();
    });
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.body).error.code).toBe('INVALID_SIGNATURE');
  });
});

describe('security headers', () => {
  test('every answer carries the locked baseline (nosniff, no framing, no referrer, HSTS on https)', async () => {
    for (const res of [await request(rt.app).get('/health'), await request(rt.app).get('/nope'), await request(rt.app).get('/api/v1/settings')]) {
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['content-security-policy']).toContain("default-src 'none'");
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    }
  });

  test('the install pages have a nonce-only CSP and cannot be framed', async () => {
    const res = await request(rt.app).get('/oauth/installed?portalId=5');
    expect(res.status).toBe(200);
    const csp = res.headers['content-security-policy']!;
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)![1]!;
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.text).toContain(`<style nonce="${nonce}">`);
    expect(res.headers['x-frame-options']).toBe('DENY');
    const again = await request(rt.app).get('/oauth/installed?portalId=5');
    expect(again.headers['content-security-policy']).not.toContain(nonce);
  });
});
