/**
 * Issue 15, a media header from the Templates page: the page gets a short-lived single-use signed
 * link (HubSpot-signed call, admins only), the admin uploads the example file on our iframe page,
 * the backend sends it to the Meta simulator's Resumable Upload API and keeps the handle, and the
 * template created with `headerSampleId` reaches Meta with that handle and comes back APPROVED.
 */
import request from 'supertest';
import { createMetaSimulator, type MetaSimulator } from '../../simulators/meta/index.js';
import type { Portal } from '../../simulators/hubspot/index.js';
import { TEST_SECRETS } from '../helpers/config.js';
import { startTestRuntime, type TestRuntime } from '../helpers/runtime.js';
import { signedRequest } from '../helpers/signed.js';
import { install, newPortal, startSimulator, waitFor, type SimHandle } from '../hubspot/helpers.js';

const PNID = '106540352242922';
const WABA = '102290129340398';
const TOKEN = 'EAAtesttoken-0123456789-abcdefghij';
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF');
let rt: TestRuntime;
let sim: MetaSimulator;
let hubspot: SimHandle;
let portal: Portal;
let closeSim: () => Promise<void>;

const api = (method: 'GET' | 'POST', path: string, o: { body?: unknown; query?: Record<string, string>; userId?: number } = {}) =>
  signedRequest(rt.app, {
    method,
    path,
    body: o.body,
    query: o.query,
    portalId: portal.portalId,
    userId: o.userId ?? portal.users[0]!.userId,
    headers: method === 'GET' ? {} : { 'Idempotency-Key': `k-${Math.random().toString(36).slice(2)}` },
  });
const pathOf = (url: string) => new URL(url).pathname;
const uploadTo = (url: string, bytes: Buffer, filename: string, type: string) => request(rt.app).post(pathOf(url)).attach('file', bytes, { filename, contentType: type });
const templatePosts = () => sim.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/message_templates'));
const uploadCalls = () => sim.requests.filter((r) => r.method === 'POST' && (r.path.includes('/uploads') || r.path.includes('upload:')));
const body = (name: string, language: string, headerSampleId: string, format = 'IMAGE') => ({
  phoneNumberId: PNID,
  name,
  language,
  category: 'MARKETING',
  components: [{ type: 'HEADER', format }, { type: 'BODY', text: 'Hola {{1}}, ya está disponible nuestro nuevo catálogo de temporada.', example: { body_text: [['Ana']] } }],
  headerSampleId,
});

beforeAll(async () => {
  sim = createMetaSimulator({
    appSecret: TEST_SECRETS.WHATSAPP_APP_SECRET,
    numbers: [{ phoneNumberId: PNID, wabaId: WABA, displayPhoneNumber: '15550783881', verifiedName: 'Acme Support', accessToken: TOKEN }],
    templateReviewMs: 30,
  });
  const server = await sim.listen(0);
  closeSim = async () => {
    sim.stop();
    await server.close();
  };
  hubspot = await startSimulator();
  portal = newPortal(hubspot.sim);
  rt = await startTestRuntime({ env: { WHATSAPP_API_BASE_URL: server.url, HUBSPOT_API_BASE_URL: hubspot.url, HUBSPOT_AUTH_BASE_URL: hubspot.url } });
  const { url } = await rt.listen(0, '127.0.0.1');
  sim.setWebhookUrl(`${url}/webhooks/whatsapp`);
  expect((await install(rt, hubspot, portal)).callback.status).toBe(302);
  expect((await api('POST', '/api/v1/whatsapp-numbers', { body: { phoneNumberId: PNID, wabaId: WABA, accessToken: TOKEN, label: 'Soporte' } })).status).toBe(201);
});
afterAll(async () => {
  await rt?.close();
  await closeSim?.();
  await hubspot?.close();
});

describe('the example file of a media header, uploaded from the Templates page', () => {
  it('link → upload page → Meta resumable upload → template with the handle, APPROVED by webhook (and reused for English)', async () => {
    const link = await api('POST', '/api/v1/templates/sample-links', { body: { phoneNumberId: PNID, format: 'IMAGE' } });
    expect(link.status).toBe(201);
    expect(link.body.sample).toMatchObject({ format: 'IMAGE', state: 'waiting', filename: null });
    expect(link.body.url).toMatch(/\/template-sample\/[\w-]+\.\d+\.[\w-]+$/);
    const id = link.body.sample.id as string;

    const pageRes = await request(rt.app).get(pathOf(link.body.url));
    expect(pageRes.status).toBe(200);
    expect(pageRes.headers['cache-control']).toBe('no-store');
    expect(pageRes.text).toContain('accept="image/jpeg,image/png"');
    // Framed by HubSpot only, its one script under the response's nonce (as the attachment upload page).
    const csp = String(pageRes.headers['content-security-policy']);
    expect(csp).toMatch(/frame-ancestors [^;]*https:\/\/app\.hubspot\.com/);
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
    expect(pageRes.text).toContain(`<script nonce="${nonce}">`);

    // A PDF for an image header is refused on its bytes, nothing reaches Meta, and the link stays usable.
    const wrong = await uploadTo(link.body.url, PDF, 'catalogo.pdf', 'application/pdf');
    expect([wrong.status, wrong.body.error.code, wrong.body.error.details.file]).toEqual([422, 'VALIDATION', expect.stringMatching(/image header takes image\/jpeg or image\/png/)]);
    const disguised = await uploadTo(link.body.url, PDF, 'foto.png', 'image/png');
    expect([disguised.status, disguised.body.error.details.file]).toEqual([422, expect.stringMatching(/content is application\/pdf/)]);
    expect(uploadCalls()).toHaveLength(0);
    expect((await request(rt.app).get(pathOf(link.body.url))).status).toBe(200);

    const up = await uploadTo(link.body.url, PNG, 'catálogo otoño.png', 'image/png');
    expect(up.status).toBe(201);
    expect(up.body.sample).toEqual({ id, format: 'IMAGE', state: 'uploaded', filename: 'catálogo otoño.png', mimeType: 'image/png', sizeBytes: PNG.length });
    expect(up.body.sample).not.toHaveProperty('handle');
    expect(uploadCalls().length).toBe(2); // the session, then the bytes

    // Single use.
    expect((await uploadTo(link.body.url, PNG, 'otra.png', 'image/png')).status).toBe(410);
    expect((await request(rt.app).get(pathOf(link.body.url))).status).toBe(410);
    expect((await api('GET', `/api/v1/templates/samples/${id}`)).body.sample).toMatchObject({ state: 'uploaded', filename: 'catálogo otoño.png' });

    const es = await api('POST', '/api/v1/templates', { body: body('catalogo_temporada', 'es', id) });
    expect(es.status).toBe(201);
    const handle = (templatePosts().at(-1)!.body as any).components[0].example.header_handle[0];
    expect(handle).toMatch(/^4::/);
    expect([...sim.state.templates.values()].some((t) => t.name === 'catalogo_temporada')).toBe(true);
    const en = await api('POST', '/api/v1/templates', {
      body: { ...body('catalogo_temporada', 'en_US', id), components: [{ type: 'HEADER', format: 'IMAGE' }, { type: 'BODY', text: 'Hi {{1}}, our new seasonal catalogue is now available for you.', example: { body_text: [['Ann']] } }] },
    });
    expect(en.status).toBe(201);
    expect((templatePosts().at(-1)!.body as any).components[0].example.header_handle).toEqual([handle]);

    await waitFor(async () => {
      const all = (await api('GET', '/api/v1/templates', { query: { phoneNumberId: PNID, status: 'all' } })).body.templates as any[];
      const mine = all.filter((t) => t.name === 'catalogo_temporada');
      return mine.length === 2 && mine.every((t) => t.status === 'APPROVED' && t.header?.format === 'IMAGE');
    }, 'approved by webhook');
  });

  it('only an admin gets a link; the sample must be uploaded, of this account and of the header’s format', async () => {
    const rep = await api('POST', '/api/v1/templates/sample-links', { body: { phoneNumberId: PNID, format: 'VIDEO' }, userId: portal.users[1]!.userId });
    expect(rep.status).toBe(403);
    expect((await api('POST', '/api/v1/templates/sample-links', { body: { phoneNumberId: PNID, format: 'AUDIO' } })).status).toBe(422);
    expect((await api('POST', '/api/v1/templates/sample-links', { body: { phoneNumberId: '999', format: 'VIDEO' } })).status).toBe(404);

    const video = (await api('POST', '/api/v1/templates/sample-links', { body: { phoneNumberId: PNID, format: 'VIDEO' } })).body;
    const before = templatePosts().length;
    const notYet = await api('POST', '/api/v1/templates', { body: body('video_sin_subir', 'es', video.sample.id, 'VIDEO') });
    expect([notYet.status, notYet.body.error.details.headerSampleId]).toEqual([422, expect.any(String)]);
    expect(notYet.body.error.message).toMatch(/not been uploaded/);

    const doc = (await api('POST', '/api/v1/templates/sample-links', { body: { phoneNumberId: PNID, format: 'DOCUMENT' } })).body;
    expect((await uploadTo(doc.url, PDF, 'manual.pdf', 'application/pdf')).status).toBe(201);
    const mismatch = await api('POST', '/api/v1/templates', { body: body('documento_como_imagen', 'es', doc.sample.id, 'IMAGE') });
    expect([mismatch.status, mismatch.body.error.message]).toEqual([422, expect.stringMatching(/for a document header, not image/)]);
    const unknown = await api('POST', '/api/v1/templates', { body: body('muestra_ajena', 'es', 'not-a-sample-id', 'IMAGE') });
    expect(unknown.status).toBe(422);
    expect(templatePosts().length).toBe(before);

    // A forged token is no link at all.
    const forged = video.url.replace(/\.[\w-]+$/, '.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    expect((await request(rt.app).get(pathOf(forged))).status).toBe(410);
    expect((await uploadTo(forged, PNG, 'a.png', 'image/png')).status).toBe(410);
  });
});
