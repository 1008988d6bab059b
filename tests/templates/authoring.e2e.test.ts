/**
 * Issue 15, templates: authored through the extension API, linted locally, submitted to the Meta
 * simulator with Meta's component shape, reviewed there, and followed back by the signed status
 * webhook; a rejection reaches the admin as a HubSpot task (HubSpot simulator).
 */
import { createMetaSimulator, type MetaSimulator } from '../../simulators/meta/index.js';
import type { Portal } from '../../simulators/hubspot/index.js';
import { TEST_SECRETS } from '../helpers/config.js';
import { startTestRuntime, type TestRuntime } from '../helpers/runtime.js';
import { signedRequest } from '../helpers/signed.js';
import { install, newPortal, startSimulator, waitFor, type SimHandle } from '../hubspot/helpers.js';

const PNID = '106540352242922';
const WABA = '102290129340398';
const TOKEN = 'EAAtesttoken-0123456789-abcdefghij';
let rt: TestRuntime;
let sim: MetaSimulator;
let hubspot: SimHandle;
let portal: Portal;
let closeSim: () => Promise<void>;

const api = (method: 'GET' | 'POST' | 'DELETE', path: string, o: { body?: unknown; query?: Record<string, string>; userId?: number } = {}) =>
  signedRequest(rt.app, {
    method,
    path,
    body: o.body,
    query: o.query,
    portalId: portal.portalId,
    userId: o.userId ?? portal.users[0]!.userId,
    headers: method === 'GET' ? {} : { 'Idempotency-Key': `k-${Math.random().toString(36).slice(2)}` },
  });

const draft = (name: string, language = 'es', over: Record<string, unknown> = {}) => ({
  phoneNumberId: PNID,
  name,
  language,
  category: 'UTILITY',
  components: [
    { type: 'HEADER', format: 'TEXT', text: 'Pedido {{1}}', example: { header_text: ['#4521'] } },
    { type: 'BODY', text: 'Hola {{1}}, tu pedido llega el {{2}} a tu dirección.', example: { body_text: [['Ana', 'martes']] } },
    { type: 'FOOTER', text: 'Acme SAS' },
    {
      type: 'BUTTONS',
      buttons: [
        { type: 'QUICK_REPLY', text: 'Gracias' },
        { type: 'URL', text: 'Seguir pedido', url: 'https://acme.example/p/{{1}}', example: ['https://acme.example/p/4521'] },
        { type: 'PHONE_NUMBER', text: 'Llamar', phone_number: '+573001234567' },
      ],
    },
  ],
  ...over,
});

const listAll = async () => (await api('GET', '/api/v1/templates', { query: { phoneNumberId: PNID, status: 'all' } })).body.templates as any[];
const posts = () => sim.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/message_templates'));

beforeAll(async () => {
  sim = createMetaSimulator({
    appSecret: TEST_SECRETS.WHATSAPP_APP_SECRET,
    numbers: [{ phoneNumberId: PNID, wabaId: WABA, displayPhoneNumber: '15550783881', verifiedName: 'Acme Support', accessToken: TOKEN }],
    templateReviewMs: 30,
    templateLimit: 6,
  });
  const server = await sim.listen(0);
  closeSim = async () => {
    sim.stop();
    await server.close();
  };
  hubspot = await startSimulator();
  portal = newPortal(hubspot.sim);
  rt = await startTestRuntime({
    env: { WHATSAPP_API_BASE_URL: server.url, HUBSPOT_API_BASE_URL: hubspot.url, HUBSPOT_AUTH_BASE_URL: hubspot.url },
    domains: { templates: { noticeEveryMs: 100 } },
  });
  const { url } = await rt.listen(0, '127.0.0.1');
  sim.setWebhookUrl(`${url}/webhooks/whatsapp`);
  expect((await install(rt, hubspot, portal)).callback.status).toBe(302);
  const connect = await api('POST', '/api/v1/whatsapp-numbers', { body: { phoneNumberId: PNID, wabaId: WABA, accessToken: TOKEN, label: 'Soporte' } });
  expect(connect.status).toBe(201);
});
afterAll(async () => {
  await rt?.close();
  await closeSim?.();
  await hubspot?.close();
});

describe('template authoring through the Meta simulator', () => {
  it('a valid template reaches Meta with its component shape and comes back APPROVED by webhook, in Spanish and English', async () => {
    const es = await api('POST', '/api/v1/templates', { body: draft('envio_pedido') });
    expect(es.status).toBe(201);
    expect(es.body.template).toMatchObject({ name: 'envio_pedido', language: 'es', status: 'PENDING', category: 'UTILITY' });
    const sent = posts().at(-1)!.body as any;
    expect(sent).toMatchObject({ name: 'envio_pedido', language: 'es', category: 'UTILITY', parameter_format: 'positional' });
    expect(sent.components.map((c: any) => c.type)).toEqual(['HEADER', 'BODY', 'FOOTER', 'BUTTONS']);
    expect(sent.components[1].example).toEqual({ body_text: [['Ana', 'martes']] });
    expect(sent.components[3].buttons[1]).toMatchObject({ type: 'URL', url: 'https://acme.example/p/{{1}}', example: ['https://acme.example/p/4521'] });

    const en = await api('POST', '/api/v1/templates', {
      body: draft('envio_pedido', 'en_US', {
        components: [{ type: 'BODY', text: 'Hi {{1}}, your order arrives on {{2}} at your address.', example: { body_text: [['Ann', 'Tuesday']] } }],
      }),
    });
    expect(en.status).toBe(201);

    const both = await waitFor(async () => {
      const l = (await listAll()).filter((t) => t.name === 'envio_pedido');
      return l.length === 2 && l.every((t) => t.status === 'APPROVED') && l;
    }, 'both languages approved');
    expect(both.map((t: any) => t.language).sort()).toEqual(['en_US', 'es']);
    // Approved ones are also what the card's sender lists.
    const approved = (await api('GET', '/api/v1/templates', { query: { phoneNumberId: PNID } })).body.templates;
    expect(approved.map((t: any) => `${t.name}/${t.language}`)).toEqual(expect.arrayContaining(['envio_pedido/es', 'envio_pedido/en_US']));
  });

  it('a template that breaks a rule gets 422 TEMPLATE_LINT on its field and nothing is sent to Meta', async () => {
    const before = posts().length;
    const bad = draft('pedido_listo');
    (bad.components[1] as any).text = '{{1}} tu pedido llega el {{2}}';
    const res = await api('POST', '/api/v1/templates', { body: bad });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('TEMPLATE_LINT');
    expect(res.body.error.details['components.1.text']).toMatch(/start with a variable/);
    expect(posts().length).toBe(before);
  });

  it('a rejected template shows Meta\'s reason and recommendation, the admin gets a HubSpot task, and its name is not reused', async () => {
    const res = await api('POST', '/api/v1/templates', {
      body: draft('promo_clientes', 'es', { components: [{ type: 'BODY', text: 'Hola {{1}}, aprovecha un descuento del 20% en tu próxima compra.', example: { body_text: [['Ana']] } }] }),
    });
    expect(res.status).toBe(201);
    const rejected = await waitFor(async () => (await listAll()).find((t) => t.name === 'promo_clientes' && t.status === 'REJECTED'), 'rejection webhook');
    expect(rejected.review).toEqual({ reason: expect.stringMatching(/promotional/), recommendation: expect.stringMatching(/MARKETING/) });

    const task = await waitFor(
      async () => [...portal.tasks.values()].find((t) => String(t.properties.hs_task_subject ?? '').includes('promo_clientes')),
      'admin task in HubSpot',
    );
    expect(task.properties.hs_task_body).toMatch(/Recommendation: Submit promotional content in the MARKETING category/);
    expect(task.properties.hubspot_owner_id).toBe(String([...portal.owners.values()].find((o) => o.userId === portal.users[0]!.userId)!.id));

    const again = await api('POST', '/api/v1/templates', { body: draft('promo_clientes', 'en_US') });
    expect(again.status).toBe(422);
    expect(again.body.error.details.name).toMatch(/rejected or deleted/);
  });

  it('a media header sample goes through the resumable upload and the template carries its handle', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
    const res = await api('POST', '/api/v1/templates', {
      body: draft('catalogo_nuevo', 'es', {
        category: 'MARKETING',
        components: [{ type: 'HEADER', format: 'IMAGE' }, { type: 'BODY', text: 'Hola {{1}}, ya está disponible nuestro nuevo catálogo de temporada.', example: { body_text: [['Ana']] } }],
        headerMedia: { data: png.toString('base64'), mimeType: 'image/png', filename: 'catalogo.png' },
      }),
    });
    expect(res.status).toBe(201);
    const sent = posts().at(-1)!.body as any;
    const handle = sent.components[0].example.header_handle[0];
    expect(handle).toMatch(/^4::/);
    expect(sim.requests.some((r) => r.method === 'POST' && r.path.includes('/uploads'))).toBe(true);
  });

  it('deletes at Meta with 204, and the per-WABA cap is Meta\'s 2388019 refusal', async () => {
    const del = await api('DELETE', '/api/v1/templates/catalogo_nuevo', { query: { phoneNumberId: PNID } });
    expect(del.status).toBe(204);
    expect([...sim.state.templates.values()].some((t) => t.name === 'catalogo_nuevo')).toBe(false);
    expect((await listAll()).some((t) => t.name === 'catalogo_nuevo')).toBe(false);

    // hello_world + 2 envio_pedido + promo_clientes = 4 of 6: two more fit, the third does not.
    expect((await api('POST', '/api/v1/templates', { body: draft('aviso_uno') })).status).toBe(201);
    expect((await api('POST', '/api/v1/templates', { body: draft('aviso_dos') })).status).toBe(201);
    const full = await api('POST', '/api/v1/templates', { body: draft('aviso_tres') });
    expect(full.status).toBe(422);
    expect(full.body.error).toMatchObject({ code: 'TEMPLATE_LINT', details: { metaCode: 2388019 } });
  });

  it('only an admin creates templates', async () => {
    const other = portal.users[1]!.userId;
    const res = await api('POST', '/api/v1/templates', { body: draft('aviso_rep'), userId: other });
    expect(res.status).toBe(403);
  });
});
