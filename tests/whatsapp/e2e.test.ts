import request from 'supertest';
import { startTestRuntime, type TestRuntime } from '../helpers/runtime.js';
import { signedRequest } from '../helpers/signed.js';
import { PHONE_NUMBER_ID, PORTAL_ID, TOKEN, WABA_ID, waitFor } from './helpers.js';
import { startSim, type Sim } from './sim.js';

let rt: TestRuntime;
let s: Sim;
const USER = 7;
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(2048, 7)]);

beforeAll(async () => {
  s = await startSim();
  rt = await startTestRuntime({ env: { WHATSAPP_API_BASE_URL: s.url } });
  const { url } = await rt.listen(0, '127.0.0.1');
  s.sim.setWebhookUrl(`${url}/webhooks/whatsapp`);
  await rt.db.query(`INSERT INTO portals (id, installed_by_user_id) VALUES ($1, $2)`, [PORTAL_ID, USER]); // USER installed the app: the admin
  s.sim.seedTemplate({
    wabaId: WABA_ID,
    name: 'seguimiento',
    language: 'es',
    category: 'UTILITY',
    components: [{ type: 'BODY', text: 'Hola {{1}}, ¿pudimos resolver tu caso {{2}}?', example: { body_text: [['Ana', '#12']] } }],
  });
});
afterAll(async () => {
  await rt?.close();
  await s?.close();
});

describe('WhatsApp channel end to end (Meta simulator)', () => {
  it('refuses a number whose token Meta rejects, and stores nothing', async () => {
    const res = await signedRequest(rt.app, {
      method: 'POST',
      path: '/api/v1/whatsapp-numbers',
      portalId: PORTAL_ID,
      userId: USER,
      body: { phoneNumberId: PHONE_NUMBER_ID, wabaId: WABA_ID, accessToken: 'EAAwrong-token-0123456789', label: 'Customer Support' },
    });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('VALIDATION');
    expect(res.body.error.details.accessToken).toMatch(/^Meta rejected this token/);
    expect((await rt.db.query(`SELECT count(*)::int AS n FROM whatsapp_numbers`)).rows[0].n).toBe(0);
  });

  it('connects a number (token verified, stored encrypted, never returned) and syncs its templates', async () => {
    const res = await signedRequest(rt.app, {
      method: 'POST',
      path: '/api/v1/whatsapp-numbers',
      portalId: PORTAL_ID,
      userId: USER,
      body: { phoneNumberId: PHONE_NUMBER_ID, wabaId: WABA_ID, accessToken: TOKEN, label: 'Customer Support' },
    });
    expect(res.status).toBe(201);
    expect(res.body.number).toMatchObject({ phoneNumberId: PHONE_NUMBER_ID, wabaId: WABA_ID, label: 'Customer Support', verifiedName: 'Acme Support', displayPhoneNumber: '+15550783881' });
    expect(JSON.stringify(res.body)).not.toContain(TOKEN);
    const row = await rt.db.query(`SELECT access_token_enc FROM whatsapp_numbers WHERE phone_number_id = $1`, [PHONE_NUMBER_ID]);
    expect(row.rows[0].access_token_enc).not.toContain(TOKEN);
    expect(rt.ctx.secrets.decrypt(row.rows[0].access_token_enc)).toBe(TOKEN);
    expect(s.sim.state.subscribedApps.get(WABA_ID)).toHaveLength(1);

    const list = await signedRequest(rt.app, { method: 'GET', path: '/api/v1/whatsapp-numbers', portalId: PORTAL_ID, userId: USER });
    expect(list.body.numbers).toHaveLength(1);
    expect(JSON.stringify(list.body)).not.toContain(TOKEN);

    await waitFor(async () => (await rt.db.query(`SELECT 1 FROM message_templates WHERE name = 'seguimiento'`)).rowCount);
    const t = await signedRequest(rt.app, { method: 'GET', path: '/api/v1/templates', query: { phoneNumberId: PHONE_NUMBER_ID }, portalId: PORTAL_ID, userId: USER });
    expect(t.status).toBe(200);
    const seg = t.body.templates.find((x: any) => x.name === 'seguimiento');
    expect(seg).toEqual({
      name: 'seguimiento',
      language: 'es',
      category: 'UTILITY',
      status: 'APPROVED',
      header: null,
      body: 'Hola {{1}}, ¿pudimos resolver tu caso {{2}}?',
      footer: null,
      buttons: [],
      placeholders: [
        { component: 'body', index: 1, example: 'Ana' },
        { component: 'body', index: 2, example: '#12' },
      ],
    });
    expect(t.body.templates.map((x: any) => x.name)).toContain('hello_world');
    const other = await signedRequest(rt.app, { method: 'GET', path: '/api/v1/templates', query: { phoneNumberId: PHONE_NUMBER_ID }, portalId: 999, userId: USER });
    expect(other.status).toBe(403); // portal not installed
  });

  it('another account learns that a number is taken only with a token Meta accepts for it (the token is checked first)', async () => {
    const OTHER = 4343;
    await rt.db.query(`INSERT INTO portals (id, installed_by_user_id) VALUES ($1, $2)`, [OTHER, USER]);
    const connect = (accessToken: string) =>
      signedRequest(rt.app, { method: 'POST', path: '/api/v1/whatsapp-numbers', portalId: OTHER, userId: USER, body: { phoneNumberId: PHONE_NUMBER_ID, wabaId: WABA_ID, accessToken, label: 'Mine' } });
    const guess = await connect('EAAguessed-token-0123456789');
    expect(guess.status).toBe(422);
    expect(guess.body.error.details).toEqual({ accessToken: expect.stringMatching(/^Meta rejected this token/) });
    expect(JSON.stringify(guess.body)).not.toContain('another HubSpot account');
    const owner = await connect(TOKEN);
    expect(owner.status).toBe(422);
    expect(owner.body.error.details).toEqual({ phoneNumberId: 'already connected to another HubSpot account' });
    expect((await rt.db.query(`SELECT portal_id FROM whatsapp_numbers WHERE phone_number_id = $1`, [PHONE_NUMBER_ID])).rows).toEqual([{ portal_id: PORTAL_ID }]);
  });

  it('a customer message arrives, a reply goes out, the statuses come back and are stored', async () => {
    const inbound = await s.sim.customer.sendText({ from: '573001234567', to: PHONE_NUMBER_ID, name: 'Camila Díaz', text: '¿Tienen envíos a Medellín?' });
    expect(inbound.status).toBe(200);
    const msg = await waitFor(async () => (await rt.db.query(`SELECT * FROM messages WHERE wamid = $1`, [inbound.wamid])).rows[0]);
    expect(msg).toMatchObject({ direction: 'in', type: 'text', text: '¿Tienen envíos a Medellín?', status: 'received', portal_id: PORTAL_ID });
    const contact = (await rt.db.query(`SELECT * FROM contacts WHERE id = $1`, [msg.contact_id])).rows[0];
    expect(contact).toMatchObject({ phone_e164: '+573001234567', profile_name: 'Camila Díaz' });

    const ch = rt.services.whatsapp!;
    await ch.markRead(PORTAL_ID, PHONE_NUMBER_ID, inbound.wamid);
    expect(s.sim.state.inbound.get(inbound.wamid)?.readByBusiness).toBe(true);

    // The customer accepted the consent (the conversations domain records it): an agent may write.
    await rt.db.query(`UPDATE contacts SET consent = 'granted' WHERE id = $1`, [contact.id]);
    const reply = await ch.send({ portalId: PORTAL_ID, contactId: Number(contact.id), phoneNumberId: PHONE_NUMBER_ID, sender: 'agent', content: { kind: 'text', text: 'Sí, en 2 días hábiles.' } });
    expect(reply.status).toBe('accepted');
    expect(s.sim.customer.inbox('573001234567').map((m) => m.text)).toContain('Sí, en 2 días hábiles.');
    await waitFor(async () => (await rt.db.query(`SELECT status FROM messages WHERE id = $1`, [reply.id])).rows[0].status === 'delivered');
    await s.sim.customer.read(reply.wamid!);
    await waitFor(async () => (await rt.db.query(`SELECT status FROM messages WHERE id = $1`, [reply.id])).rows[0].status === 'read');
    const evs = await rt.db.query(`SELECT status, pricing FROM message_status_events WHERE wamid = $1 ORDER BY occurred_at, id`, [reply.wamid]);
    expect(evs.rows.map((e) => e.status).sort()).toEqual(['delivered', 'read', 'sent']);
    expect(evs.rows.find((e) => e.status === 'sent').pricing).toMatchObject({ pricing_model: 'PMP', type: 'free_customer_service' });
  });

  it('downloads an inbound image right away and serves it behind a signed URL', async () => {
    const sent = await s.sim.customer.sendMedia({ from: '573001234567', to: PHONE_NUMBER_ID, kind: 'image', bytes: JPEG, mimeType: 'image/jpeg', caption: 'mi factura' });
    const msg = await waitFor(async () => (await rt.db.query(`SELECT * FROM messages WHERE wamid = $1`, [sent.wamid])).rows[0]);
    expect(msg).toMatchObject({ type: 'image', text: 'mi factura' });
    const mo = await waitFor(async () => (await rt.db.query(`SELECT * FROM media_objects WHERE message_id = $1 AND state = 'stored'`, [msg.id])).rows[0]);
    expect(mo).toMatchObject({ mime_type: 'image/jpeg', size_bytes: JPEG.length, meta_media_id: sent.mediaId });
    const media = await rt.services.whatsapp!.mediaOf(rt.db.pool, Number(msg.id));
    const u = new URL(media!.url);
    const got = await request(rt.app).get(u.pathname + u.search).buffer(true).parse((res, cb) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(got.status).toBe(200);
    expect(got.headers['content-type']).toBe('image/jpeg');
    expect(Buffer.compare(got.body as Buffer, JPEG)).toBe(0);
    const forged = await request(rt.app).get(u.pathname + u.search.replace(/sig=[^&]+/, 'sig=AAAA'));
    expect(forged.status).toBe(403);
  });

  it('a free-form message outside the 24-hour window is accepted, then fails with 131047 (window closed)', async () => {
    const c = await rt.db.query(`INSERT INTO contacts (portal_id, wa_id, phone_e164, consent) VALUES ($1, '573007654321', '+573007654321', 'granted') RETURNING id`, [PORTAL_ID]);
    const m = await rt.services.whatsapp!.send({ portalId: PORTAL_ID, contactId: Number(c.rows[0].id), phoneNumberId: PHONE_NUMBER_ID, sender: 'agent', content: { kind: 'text', text: 'hola' } });
    expect(m.status).toBe('accepted');
    const failed = await waitFor(async () => (await rt.db.query(`SELECT status, error FROM messages WHERE id = $1 AND status = 'failed'`, [m.id])).rows[0]);
    expect(failed.error).toMatchObject({ code: 131047, title: 'Re-engagement message', reason: 'WINDOW_CLOSED' });
    // A template reaches the same customer.
    const t = await rt.services.whatsapp!.send({
      portalId: PORTAL_ID,
      contactId: Number(c.rows[0].id),
      phoneNumberId: PHONE_NUMBER_ID,
      sender: 'agent',
      content: { kind: 'template', name: 'seguimiento', language: 'es', parameters: ['Ana', '#12'] },
    });
    expect(t.text).toBe('Hola Ana, ¿pudimos resolver tu caso #12?');
    await waitFor(async () => (await rt.db.query(`SELECT status FROM messages WHERE id = $1`, [t.id])).rows[0].status === 'delivered');
  });

  it('follows template status webhooks from Meta (paused)', async () => {
    const tpl = [...s.sim.state.templates.values()].find((t) => t.name === 'seguimiento')!;
    await s.sim.setTemplateStatus(tpl.id, 'PAUSED', { otherInfo: { title: 'FIRST_PAUSE', description: 'low quality' } });
    await waitFor(async () => (await rt.db.query(`SELECT status FROM message_templates WHERE name = 'seguimiento'`)).rows[0].status === 'PAUSED');
    const t = await signedRequest(rt.app, { method: 'GET', path: '/api/v1/templates', query: { phoneNumberId: PHONE_NUMBER_ID }, portalId: PORTAL_ID, userId: USER });
    expect(t.body.templates.map((x: any) => x.name)).not.toContain('seguimiento');
  });
});
