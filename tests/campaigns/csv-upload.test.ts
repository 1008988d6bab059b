/**
 * The campaign CSV from the app page (issue 14): a short-lived single-use link to the iframe upload
 * page (the card's attachment machinery), the file checked whole, a ready audience the campaign takes.
 */
import request from 'supertest';
import { ManualClock } from '../../src/clock.js';
import { consented, PNID, PROMO, phoneOf, sendsPerPhone, startEnv, waitFor, waOf, type Env } from './helpers.js';

let env: Env;
const clock = new ManualClock('2026-07-01T15:00:00Z');

beforeAll(async () => {
  env = await startEnv({ clock });
  await consented(env.rt.db, env.portalId, [1, 2, 3]);
}, 180_000);
afterAll(async () => {
  await env?.close();
});

const TARGET = { phoneNumberId: PNID, templateName: PROMO.name, language: PROMO.language };
const newCsvAudience = async () => {
  const r = await env.api('POST', '/api/v1/campaigns/audiences', { body: { source: 'csv', ...TARGET } });
  expect(r.status).toBe(201);
  return { id: r.body.audience.id as number, url: new URL(r.body.upload.url), body: r.body };
};
const upload = (url: URL, csv: string, name = 'julio.csv') => request(env.rt.app).post(url.pathname).attach('file', Buffer.from(csv), name);
const count = async (table: string) => (await env.rt.db.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n;

describe('CSV upload through the iframe page', () => {
  it('hands out a short-lived link to the upload page, which names the columns and offers the sample', async () => {
    const { url, body } = await newCsvAudience();
    expect(body.audience).toMatchObject({ source: 'csv', status: 'awaiting_upload', templateName: PROMO.name });
    expect(url.origin).toBe('https://app.example.test'); // PUBLIC_BASE_URL: the origin in permittedUrls.iframe
    expect(url.pathname).toMatch(/^\/upload\/audience\/[\w-]+\.\d+\.[\w-]+$/);
    expect(Date.parse(body.upload.expiresAt) - clock.now().getTime()).toBe(10 * 60_000);
    const pageRes = await request(env.rt.app).get(url.pathname);
    expect(pageRes.status).toBe(200);
    expect(pageRes.text).toContain('phone,body_1,body_2');
    expect(pageRes.headers['cache-control']).toBe('no-store');
    // HubSpot frames it; its one script runs under the page's nonce.
    expect(pageRes.headers['content-security-policy']).toMatch(/frame-ancestors [^;]*hubspot/);
    const [, nonce, script] = /<script nonce="([^"]+)">([\s\S]*)<\/script>/.exec(pageRes.text)!;
    expect(pageRes.headers['content-security-policy']).toContain(`script-src 'nonce-${nonce}'`);
    expect(() => new Function(script!)).not.toThrow(); // the page's own script is valid JavaScript
    expect(script).toContain("/^recipients\\.(\\d+)\\.(.*)$/"); // names the refused rows
    const sample = await request(env.rt.app).get(`${url.pathname}/sample.csv`);
    expect(sample.status).toBe(200);
    expect(sample.headers['content-type']).toContain('text/csv');
    expect(sample.headers['content-disposition']).toContain(`${PROMO.name}-sample.csv`);
    expect(sample.text.split('\r\n')[0]).toBe('phone,body_1,body_2');
    // Not an attachment link: the card's upload page does not take it.
    expect((await request(env.rt.app).get(url.pathname.replace('/upload/audience/', '/upload/'))).status).toBe(410);
  });

  it('refuses a file with a bad row whole, naming the rows; nothing is kept and a corrected file can follow', async () => {
    const { id, url } = await newCsvAudience();
    const contactsBefore = await count('contacts');
    const bad = await upload(url, ['phone,name,code', `${phoneOf(1)},Ana,C1`, 'abc,Leo,C2', `${phoneOf(3)},Ana`].join('\n'));
    expect(bad.status).toBe(422);
    expect(bad.body.error.code).toBe('VALIDATION');
    expect(Object.keys(bad.body.error.details).sort()).toEqual(['recipients.1.phone', 'recipients.2.parameters']);
    expect((await env.api('GET', `/api/v1/campaigns/audiences/${id}`)).body.audience).toMatchObject({ status: 'awaiting_upload', total: 0 });
    expect(await count('contacts')).toBe(contactsBefore);
    expect(await count('campaigns')).toBe(0);

    const good = await upload(url, ['phone,name,code', `${phoneOf(1)},Ana,C1`, `${phoneOf(2)},Leo,C2`, `+${waOf(3)},Eva,C3`].join('\r\n'));
    expect(good.status).toBe(201);
    expect(good.body.audience).toMatchObject({ id, status: 'ready', total: 3, filename: 'julio.csv' });
    // Single use: the page and the upload are gone.
    expect((await upload(url, `${phoneOf(1)},Ana,C1`)).status).toBe(410);
    expect((await request(env.rt.app).get(url.pathname)).status).toBe(410);

    // Only for the template it was checked against; then once.
    const other = await env.api('POST', '/api/v1/campaigns', { body: { name: 'Julio', ...TARGET, language: 'en', audienceId: id } });
    expect(other.status).toBe(422);
    const created = await env.api('POST', '/api/v1/campaigns', { body: { name: 'Julio', ...TARGET, audienceId: id } });
    expect(created.status).toBe(201);
    expect(created.body.campaign.counts).toMatchObject({ total: 3, skipped: 0 });
    await waitFor(async () => (await env.api('GET', `/api/v1/campaigns/${created.body.campaign.id}`)).body.campaign.status === 'completed', 30_000, 'completed');
    expect([1, 2, 3].map((i) => sendsPerPhone(env.sim).get(waOf(i)))).toEqual([1, 1, 1]);
    expect((await env.api('POST', '/api/v1/campaigns', { body: { name: 'Again', ...TARGET, audienceId: id } })).body.error.code).toBe('AUDIENCE_USED');
    // The audience's rows are not kept once used (the recipients have them).
    expect((await env.rt.db.query(`SELECT rows FROM campaign_audiences WHERE id = $1`, [id])).rows[0].rows).toBeNull();
  });

  it('a link expires after 10 minutes, and an audience nobody used is deleted after a day', async () => {
    const { id, url } = await newCsvAudience();
    clock.advance(10 * 60_000 + 1);
    expect((await upload(url, `${phoneOf(1)},Ana,C1`)).status).toBe(410);
    expect((await request(env.rt.app).get(url.pathname)).status).toBe(410);
    const pending = await env.api('POST', '/api/v1/campaigns', { body: { name: 'X', ...TARGET, audienceId: id } });
    expect(pending.status).toBe(409);
    expect(pending.body.error.code).toBe('AUDIENCE_NOT_READY');
    clock.advance(24 * 60 * 60_000);
    await env.rt.services.campaigns!.audiences.purgeExpired();
    expect((await env.api('GET', `/api/v1/campaigns/audiences/${id}`)).status).toBe(404);
  });
});
