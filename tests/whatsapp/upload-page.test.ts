// The attachment upload page HubSpot opens in its iframe modal (openIframeModal): framed only by
// HubSpot's app domains (and the local demo / extension host in development), inline script only
// with its nonce, and a file body read only for a link that is still usable (issue 17).
import http from 'node:http';
import request from 'supertest';
import { ManualClock } from '../../src/clock.js';
import { HUBSPOT_FRAME_ANCESTORS } from '../../src/config.js';
import { testConfig } from '../helpers/config.js';
import { testDatabase } from '../helpers/db.js';
import { startTestRuntime } from '../helpers/runtime.js';
import { api, FakeSeams, seedContact, seedPortal, type Harness } from '../conversations/helpers.js';

const clock = new ManualClock(new Date('2026-03-30T15:00:00.000Z'));
let h: Harness;

beforeAll(async () => {
  // The upload routes need the real WhatsApp domain (it stores the file); HubSpot is faked at the seams.
  const db = await testDatabase();
  const fakes = new FakeSeams(db, clock);
  const rt = await startTestRuntime({ db, ownsDb: true, clock, work: false, domains: { hubspot: false, conversations: { seams: { sender: fakes, directory: fakes, tasks: fakes, consent: fakes } } } });
  h = { rt, db: rt.db, fakes, svc: rt.services.conversations!, close: () => rt.close() };
  await seedPortal(h.db);
});
afterAll(async () => {
  await h?.close();
});

async function uploadPath(): Promise<string> {
  const c = await seedContact(h.db, { consent: 'granted', hubspotId: String(7000 + Math.floor(Math.random() * 1000)) });
  const link = await api(h, 'POST', `/api/v1/contacts/${c.hubspot_contact_id}/upload-links`);
  expect(link.status).toBe(201);
  return new URL(link.body.url).pathname;
}

const directive = (csp: string, name: string) => csp.split(';').map((d) => d.trim()).find((d) => d.startsWith(`${name} `)) ?? '';

describe('the upload page', () => {
  test('may be framed by HubSpot’s app domains and the local hosts (development), runs only its own nonce’d script', async () => {
    const res = await request(h.rt.app).get(await uploadPath());
    expect(res.status).toBe(200);
    const csp = res.headers['content-security-policy']!;
    const ancestors = directive(csp, 'frame-ancestors').split(' ').slice(1);
    expect(ancestors).toEqual(expect.arrayContaining([...HUBSPOT_FRAME_ANCESTORS, 'http://localhost:*', 'http://127.0.0.1:*']));
    expect(ancestors).toEqual(expect.arrayContaining(['https://app.hubspot.com', 'https://app-eu1.hubspot.com', 'https://*.hubspot.com']));
    expect(res.headers['x-frame-options']).toBeUndefined(); // it would forbid HubSpot's iframe
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)![1]!;
    expect(res.text).toContain(`<script nonce="${nonce}">`);
    expect(res.text).toContain(`<style nonce="${nonce}">`);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(directive(csp, 'connect-src')).toBe("connect-src 'self'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['cache-control']).toBe('no-store');
  });

  test('an expired link answers 410 under the same policy', async () => {
    const path = await uploadPath();
    clock.advance(11 * 60_000);
    const res = await request(h.rt.app).get(path);
    clock.set(new Date('2026-03-30T15:00:00.000Z'));
    expect(res.status).toBe(410);
    expect(res.text).toContain('data-testid="upload-expired"');
    expect(directive(res.headers['content-security-policy']!, 'frame-ancestors')).toContain('https://app.hubspot.com');
  });

  test('a POST to an unusable link is refused before the file is read', async () => {
    const { port } = new URL((await h.rt.listen(0, '127.0.0.1')).url);
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request({
        host: '127.0.0.1',
        port: Number(port),
        method: 'POST',
        path: '/upload/forgedforgedforged.1774872000000.c2lnbmF0dXJlc2lnbmF0dXJl',
        headers: { 'Content-Type': 'multipart/form-data; boundary=x', 'Content-Length': String(90 * 1024 * 1024) },
      });
      req.on('response', (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => {
          req.destroy();
          resolve({ status: res.statusCode!, body });
        });
      });
      req.on('error', reject);
      req.flushHeaders(); // 90 MB announced, none sent
    });
    expect(answer.status).toBe(410);
    expect(JSON.parse(answer.body).error.code).toBe('LINK_EXPIRED');
  });

  test('production allows only HubSpot (and FRAME_ANCESTORS) to frame it', () => {
    const prod = testConfig({ NODE_ENV: 'production', DATABASE_URL: 'postgres://app@db.example/app', FRAME_ANCESTORS: 'https://crm.example.com' });
    expect(prod.frameAncestors).toEqual([...HUBSPOT_FRAME_ANCESTORS, 'https://crm.example.com']);
    expect(testConfig().frameAncestors).toEqual(expect.arrayContaining(["'self'", 'http://localhost:*', 'http://127.0.0.1:*']));
  });
});
