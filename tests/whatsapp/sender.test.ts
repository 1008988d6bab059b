import { AppError } from '../../src/errors.js';
import { ThroughputLimiter } from '../../src/whatsapp/limiter.js';
import { startTestRuntime, type TestRuntime } from '../helpers/runtime.js';
import { PHONE_NUMBER_ID, PORTAL_ID, seedNumber, TOKEN, WABA_ID } from './helpers.js';
import { startSim, type Sim } from './sim.js';

let rt: TestRuntime;
let s: Sim;
let contactId: number;
let otherContact: number;
let simOffsetMs = 0;
/** When set, the simulator's clock stands still here (a loaded machine cannot let its pair window pass). */
let simFrozenAt: number | undefined;

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(1000, 1)]);

async function failsWith(p: Promise<unknown>, code: string): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe(code);
    return err as AppError;
  }
  throw new Error(`expected ${code}`);
}

beforeAll(async () => {
  s = await startSim({ now: () => (simFrozenAt ?? Date.now()) + simOffsetMs });
  rt = await startTestRuntime({ work: false, env: { WHATSAPP_API_BASE_URL: s.url, ATTACHMENT_QUOTA_MB: '1' } });
  await seedNumber(rt.db, rt.ctx.secrets);
  const c = await rt.db.query(`INSERT INTO contacts (portal_id, wa_id, phone_e164, consent) VALUES ($1, '573001112233', '+573001112233', 'granted'), ($1, '573009998877', '+573009998877', 'granted') RETURNING id`, [PORTAL_ID]);
  contactId = Number(c.rows[0].id);
  otherContact = Number(c.rows[1].id);
  // The customer wrote: the window is open at Meta.
  await s.sim.customer.sendText({ from: '573001112233', to: PHONE_NUMBER_ID, text: 'hola' });
  await s.sim.customer.sendText({ from: '573009998877', to: PHONE_NUMBER_ID, text: 'hola' });
  s.sim.seedTemplate({
    wabaId: WABA_ID,
    name: 'order_update',
    language: 'es_CO',
    category: 'UTILITY',
    components: [
      { type: 'HEADER', format: 'TEXT', text: 'Pedido {{1}}', example: { header_text: ['#1234'] } },
      { type: 'BODY', text: 'Hola {{1}}, tu pedido {{2}} fue enviado.', example: { body_text: [['Ana', '#1234']] } },
      { type: 'FOOTER', text: 'Responde STOP para no recibir más mensajes' },
      { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Gracias' }, { type: 'QUICK_REPLY', text: 'STOP' }] },
    ],
  });
});
afterAll(async () => {
  await rt?.close();
  await s?.close();
});

describe('WhatsAppService.send', () => {
  it('enforces consent and opt-out itself: an agent or campaign send is refused, the bot may still prompt', async () => {
    const c = await rt.db.query(
      `INSERT INTO contacts (portal_id, wa_id, phone_e164, consent, opted_out) VALUES ($1, '573004440001', '+573004440001', 'unknown', false),
         ($1, '573004440002', '+573004440002', 'granted', true) RETURNING id`,
      [PORTAL_ID],
    );
    const [unknown, optedOut] = c.rows.map((r) => Number(r.id));
    const text = (contactId: number, sender: 'agent' | 'campaign' | 'bot') =>
      rt.services.whatsapp!.send({ portalId: PORTAL_ID, contactId, phoneNumberId: PHONE_NUMBER_ID, sender, content: { kind: 'text', text: 'hola' } });
    const before = (await rt.db.query(`SELECT count(*)::int AS n FROM messages WHERE direction = 'out'`)).rows[0].n;
    await failsWith(text(unknown!, 'agent'), 'NO_CONSENT');
    await failsWith(text(unknown!, 'campaign'), 'NO_CONSENT');
    await failsWith(text(optedOut!, 'agent'), 'OPTED_OUT');
    await failsWith(text(optedOut!, 'campaign'), 'OPTED_OUT');
    expect((await rt.db.query(`SELECT count(*)::int AS n FROM messages WHERE direction = 'out'`)).rows[0].n).toBe(before);
    // The consent bot's own prompt is the allowed exception (the customer just wrote).
    await s.sim.customer.sendText({ from: '573004440001', to: PHONE_NUMBER_ID, text: 'hola' });
    const prompt = await text(unknown!, 'bot');
    expect(prompt.status).toBe('accepted');
  });

  it('sends a text: stored out, accepted with the wamid, our message id as callback data', async () => {
    const m = await rt.services.whatsapp!.send({ portalId: PORTAL_ID, contactId, phoneNumberId: PHONE_NUMBER_ID, sender: 'agent', content: { kind: 'text', text: 'Hola, ¿en qué te ayudo?' } });
    expect(m).toMatchObject({ direction: 'out', status: 'accepted', type: 'text', text: 'Hola, ¿en qué te ayudo?', sender: 'agent' });
    expect(m.wamid).toMatch(/^wamid\./);
    const sent = s.sim.state.messages.get(m.wamid!)!;
    expect(sent.request).toMatchObject({ to: '+573001112233', type: 'text', text: { body: 'Hola, ¿en qué te ayudo?' }, biz_opaque_callback_data: `m:${m.id}` });
  });

  it('returns the first message for a repeated client key and sends nothing again', async () => {
    const req = { portalId: PORTAL_ID, contactId, phoneNumberId: PHONE_NUMBER_ID, sender: 'agent' as const, clientKey: 'k-1', content: { kind: 'text' as const, text: 'once' } };
    const before = s.sim.state.messages.size;
    const a = await rt.services.whatsapp!.send(req);
    const b = await rt.services.whatsapp!.send(req);
    expect(b.id).toBe(a.id);
    expect(s.sim.state.messages.size).toBe(before + 1);
  });

  it('sends a template built from the synced definition (header, body and quick-reply payloads)', async () => {
    const m = await rt.services.whatsapp!.send({
      portalId: PORTAL_ID,
      contactId,
      phoneNumberId: PHONE_NUMBER_ID,
      sender: 'campaign',
      content: { kind: 'template', name: 'order_update', language: 'es_CO', parameters: ['#77', 'Ana', 'SKU-9'], buttonPayloads: ['thanks', 'opt_out'] },
    });
    expect(m).toMatchObject({ type: 'template', template_name: 'order_update', status: 'accepted' });
    expect(m.text).toBe('Pedido #77\nHola Ana, tu pedido SKU-9 fue enviado.\nResponde STOP para no recibir más mensajes');
    const sent = s.sim.state.messages.get(m.wamid!)!;
    expect((sent.request as any).template.components).toEqual([
      { type: 'header', parameters: [{ type: 'text', text: '#77' }] },
      { type: 'body', parameters: [{ type: 'text', text: 'Ana' }, { type: 'text', text: 'SKU-9' }] },
      { type: 'button', sub_type: 'quick_reply', index: '0', parameters: [{ type: 'payload', payload: 'thanks' }] },
      { type: 'button', sub_type: 'quick_reply', index: '1', parameters: [{ type: 'payload', payload: 'opt_out' }] },
    ]);
    const t = await rt.db.query(`SELECT placeholder_count, status FROM message_templates WHERE name = 'order_update'`);
    expect(t.rows[0]).toEqual({ placeholder_count: 3, status: 'APPROVED' });
  });

  it('checks placeholder values before sending: TEMPLATE_PARAMS', async () => {
    const send = (parameters: string[]) =>
      rt.services.whatsapp!.send({ portalId: PORTAL_ID, contactId, phoneNumberId: PHONE_NUMBER_ID, sender: 'agent', content: { kind: 'template', name: 'order_update', language: 'es_CO', parameters } });
    const count = await failsWith(send(['a', 'b']), 'TEMPLATE_PARAMS');
    expect(count.status).toBe(422);
    expect(count.message).toMatch(/needs 3 parameters, got 2/);
    expect((await failsWith(send(['a', 'b\nc', 'd']), 'TEMPLATE_PARAMS')).details).toEqual({ 'parameters.1': 'must not contain line breaks' });
    expect((await failsWith(send(['a', 'b', 'c\td']), 'TEMPLATE_PARAMS')).details).toEqual({ 'parameters.2': 'must not contain tabs' });
    expect((await failsWith(send(['a', 'b     c', 'd']), 'TEMPLATE_PARAMS')).details).toEqual({ 'parameters.1': 'must not contain more than 4 consecutive spaces' });
    await send(['a', 'b    c', 'd']); // 4 spaces are fine
    await failsWith(
      rt.services.whatsapp!.send({ portalId: PORTAL_ID, contactId, phoneNumberId: PHONE_NUMBER_ID, sender: 'agent', content: { kind: 'template', name: 'order_update', language: 'es', parameters: [] } }),
      'NOT_FOUND',
    );
  });

  it('sends interactive reply buttons and refuses invalid content with VALIDATION', async () => {
    const m = await rt.services.whatsapp!.send({
      portalId: PORTAL_ID,
      contactId,
      phoneNumberId: PHONE_NUMBER_ID,
      sender: 'bot',
      content: { kind: 'interactive_buttons', body: '¿Aceptas el tratamiento de tus datos?', footer: 'Política: https://example.com/p', buttons: [{ id: 'consent_yes', title: 'Acepto' }, { id: 'consent_no', title: 'No acepto' }] },
    });
    expect(m.type).toBe('interactive');
    expect((s.sim.state.messages.get(m.wamid!)!.request as any).interactive.action.buttons).toHaveLength(2);
    await failsWith(
      rt.services.whatsapp!.send({ portalId: PORTAL_ID, contactId, phoneNumberId: PHONE_NUMBER_ID, sender: 'bot', content: { kind: 'interactive_buttons', body: 'x', buttons: [1, 2, 3, 4].map((i) => ({ id: `b${i}`, title: `B${i}` })) } }),
      'VALIDATION',
    );
    await failsWith(rt.services.whatsapp!.send({ portalId: PORTAL_ID, contactId, phoneNumberId: PHONE_NUMBER_ID, sender: 'agent', content: { kind: 'text', text: 'x'.repeat(4097) } }), 'VALIDATION');
    await failsWith(rt.services.whatsapp!.send({ portalId: PORTAL_ID, contactId, phoneNumberId: '123', sender: 'agent', content: { kind: 'text', text: 'x' } }), 'NOT_FOUND');
  });

  it('refuses text that shows nothing or cannot be stored (zero-width only, NUL, lone surrogate) with VALIDATION, storing nothing', async () => {
    const text = (t: string) => rt.services.whatsapp!.send({ portalId: PORTAL_ID, contactId, phoneNumberId: PHONE_NUMBER_ID, sender: 'agent', content: { kind: 'text', text: t } });
    const before = (await rt.db.query(`SELECT count(*)::int AS n FROM messages WHERE direction = 'out'`)).rows[0].n;
    const sentBefore = s.sim.state.messages.size;
    for (const t of ['\u200b\u200c\u200d', ' \ufeff\u2060 \n', '\u3164\u115f', '\u202e\u200e\ufe0f']) {
      const err = await failsWith(text(t), 'VALIDATION');
      expect(err.status).toBe(422);
      expect(err.message).toMatch(/visible text/);
    }
    expect((await failsWith(text('hola\u0000'), 'VALIDATION')).message).toMatch(/NUL/);
    expect((await failsWith(text('hola \ud83d'), 'VALIDATION')).message).toMatch(/surrogate/);
    expect((await rt.db.query(`SELECT count(*)::int AS n FROM messages WHERE direction = 'out'`)).rows[0].n).toBe(before);
    expect(s.sim.state.messages.size).toBe(sentBefore);
    // A zero-width joiner inside an emoji sequence is part of visible text.
    expect((await text('👩\u200d💻 listo')).status).toBe('accepted');
  });

  it('uploads an attachment (type from the bytes, size limits) and charges the monthly quota when sent', async () => {
    const ch = rt.services.whatsapp!;
    const up = await ch.uploadMedia({ portalId: PORTAL_ID, contactId, phoneNumberId: PHONE_NUMBER_ID, bytes: PNG, mimeType: 'image/png', filename: 'a.png' });
    expect(up).toMatchObject({ kind: 'image', mimeType: 'image/png', sizeBytes: PNG.length });
    expect(s.sim.state.media.get(up.mediaId)?.bytes.equals(PNG)).toBe(true);
    const m = await ch.send({ portalId: PORTAL_ID, contactId, phoneNumberId: PHONE_NUMBER_ID, sender: 'agent', content: { kind: 'media', mediaType: 'image', mediaId: up.mediaId, caption: 'la factura' } });
    expect(m).toMatchObject({ type: 'image', text: 'la factura', status: 'accepted' });
    const usage = await rt.db.query(`SELECT bytes FROM attachment_usage WHERE contact_id = $1`, [contactId]);
    expect(usage.rows[0].bytes).toBe(PNG.length);
    const media = await ch.mediaOf(rt.db.pool, m.id);
    expect(media).toMatchObject({ mimeType: 'image/png', filename: 'a.png' });
    expect(media!.url).toMatch(/^https:\/\/app\.example\.test\/media\/\d+\?exp=\d+&sig=/);

    // Declared type that the bytes contradict, unsupported type, too big for its kind.
    await failsWith(ch.uploadMedia({ portalId: PORTAL_ID, contactId, phoneNumberId: PHONE_NUMBER_ID, bytes: PNG, mimeType: 'application/pdf', filename: 'x.pdf' }), 'VALIDATION');
    await failsWith(ch.uploadMedia({ portalId: PORTAL_ID, contactId, phoneNumberId: PHONE_NUMBER_ID, bytes: Buffer.from('GIF89a....'), mimeType: 'image/gif', filename: 'x.gif' }), 'VALIDATION');
    const bigPng = Buffer.concat([PNG, Buffer.alloc(5 * 1024 * 1024)]);
    const big = await failsWith(ch.uploadMedia({ portalId: PORTAL_ID, contactId, phoneNumberId: PHONE_NUMBER_ID, bytes: bigPng, mimeType: 'image/png', filename: 'big.png' }), 'VALIDATION');
    expect(big.message).toMatch(/at most 5 MB/);
  });

  it('refuses an attachment beyond the contact’s monthly quota with a clear error', async () => {
    const ch = rt.services.whatsapp!;
    // quota is 1 MB in this test: 600 KB fits once, not twice
    const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(600 * 1024, 0x20)]);
    const a = await ch.uploadMedia({ portalId: PORTAL_ID, contactId: otherContact, phoneNumberId: PHONE_NUMBER_ID, bytes: pdf, mimeType: 'application/pdf', filename: 'a.pdf' });
    await ch.send({ portalId: PORTAL_ID, contactId: otherContact, phoneNumberId: PHONE_NUMBER_ID, sender: 'agent', content: { kind: 'media', mediaType: 'document', mediaId: a.mediaId, filename: 'a.pdf' } });
    const err = await failsWith(
      ch.uploadMedia({ portalId: PORTAL_ID, contactId: otherContact, phoneNumberId: PHONE_NUMBER_ID, bytes: pdf, mimeType: 'application/pdf', filename: 'b.pdf' }),
      'ATTACHMENT_QUOTA',
    );
    expect(err.status).toBe(409);
    expect(err.message).toMatch(/monthly attachment quota is 1 MB; 600 KB are used this month/);
  });

  it('defers a send hit by the pair rate limit (131056): no sooner than 6 s, then it goes out', async () => {
    const ch = rt.services.whatsapp!;
    const fresh = await rt.db.query(`INSERT INTO contacts (portal_id, wa_id, phone_e164, consent) VALUES ($1, '573005550001', '+573005550001', 'granted') RETURNING id`, [PORTAL_ID]);
    const cid = Number(fresh.rows[0].id);
    await s.sim.customer.sendText({ from: '573005550001', to: PHONE_NUMBER_ID, text: 'hi' });
    // Meta tolerates bursts of 45 messages in 6 s to one customer; the 46th gets 131056.
    for (let i = 0; i < 45; i++) await ch.send({ portalId: PORTAL_ID, contactId: cid, phoneNumberId: PHONE_NUMBER_ID, sender: 'campaign', content: { kind: 'text', text: `m${i}` } });
    const m = await ch.send({ portalId: PORTAL_ID, contactId: cid, phoneNumberId: PHONE_NUMBER_ID, sender: 'agent', content: { kind: 'text', text: 'too fast' } });
    expect(m).toMatchObject({ status: 'accepted', wamid: null });
    const job = await rt.db.query(
      `SELECT data, EXTRACT(EPOCH FROM (start_after - created_on)) AS delay FROM pgboss.job WHERE name = 'whatsapp.send-retry' AND data->>'messageId' = $1`,
      [String(m.id)],
    );
    expect(job.rows[0].data).toEqual({ messageId: m.id, attempt: 1 });
    expect(Number(job.rows[0].delay)).toBeGreaterThanOrEqual(5.9);
    // The deferred attempt (the job, run here by hand) after the pair window has passed.
    simOffsetMs += 7000;
    await (ch as any).sender.retry(m.id, 1);
    const after = await rt.db.query(`SELECT status, wamid FROM messages WHERE id = $1`, [m.id]);
    expect(after.rows[0].status).toBe('accepted');
    expect(after.rows[0].wamid).toMatch(/^wamid\./);
    expect(s.sim.state.messages.get(after.rows[0].wamid)!.request).toMatchObject({ text: { body: 'too fast' } });
  });

  it('fails a deferred send as RATE_LIMITED after its last attempt and reports it as a failed status', async () => {
    const { MAX_SEND_ATTEMPTS } = await import('../../src/whatsapp/sender.js');
    const ch = rt.services.whatsapp!;
    const fresh = await rt.db.query(`INSERT INTO contacts (portal_id, wa_id, phone_e164, consent) VALUES ($1, '573005550002', '+573005550002', 'granted') RETURNING id`, [PORTAL_ID]);
    const cid = Number(fresh.rows[0].id);
    await s.sim.customer.sendText({ from: '573005550002', to: PHONE_NUMBER_ID, text: 'hi' });
    simFrozenAt = Date.now(); // the 45 sends and the 46th all fall in one pair window, however slow the machine
    try {
      for (let i = 0; i < 45; i++) await ch.send({ portalId: PORTAL_ID, contactId: cid, phoneNumberId: PHONE_NUMBER_ID, sender: 'campaign', content: { kind: 'text', text: `n${i}` } });
      const m = await ch.send({ portalId: PORTAL_ID, contactId: cid, phoneNumberId: PHONE_NUMBER_ID, sender: 'agent', content: { kind: 'text', text: 'never' } });
      expect(m.wamid).toBeNull();
      await (ch as any).sender.retry(m.id, MAX_SEND_ATTEMPTS - 1); // still inside the pair window: last attempt fails
      const after = await rt.db.query(`SELECT status, error FROM messages WHERE id = $1`, [m.id]);
      expect(after.rows[0].status).toBe('failed');
      expect(after.rows[0].error).toMatchObject({ code: 131056, reason: 'RATE_LIMITED' });
    } finally {
      simFrozenAt = undefined;
    }
  });

  it('flags the number when Meta rejects its token (190) and maps it to NUMBER_TOKEN_INVALID', async () => {
    s.sim.revokeToken(TOKEN, 'expired');
    try {
      const err = await failsWith(
        rt.services.whatsapp!.send({ portalId: PORTAL_ID, contactId, phoneNumberId: PHONE_NUMBER_ID, sender: 'agent', content: { kind: 'text', text: 'hola' } }),
        'NUMBER_TOKEN_INVALID',
      );
      expect(err.message).not.toContain(TOKEN);
      const n = await rt.db.query(`SELECT token_status FROM whatsapp_numbers WHERE phone_number_id = $1`, [PHONE_NUMBER_ID]);
      expect(n.rows[0].token_status).toBe('needs_token');
      const failed = await rt.db.query(`SELECT status, error FROM messages WHERE text = 'hola' AND direction = 'out' ORDER BY id DESC LIMIT 1`);
      expect(failed.rows[0].status).toBe('failed');
      expect(failed.rows[0].error).toMatchObject({ code: 190, reason: 'NUMBER_TOKEN_INVALID' });
      // Further sends are refused before calling Meta.
      await failsWith(rt.services.whatsapp!.send({ portalId: PORTAL_ID, contactId, phoneNumberId: PHONE_NUMBER_ID, sender: 'agent', content: { kind: 'text', text: 'x' } }), 'NUMBER_TOKEN_INVALID');
    } finally {
      await rt.db.query(`UPDATE whatsapp_numbers SET token_status = 'valid'`);
    }
  });
});

describe('ThroughputLimiter', () => {
  it('paces one number at its rate and leaves other numbers alone', async () => {
    const l = new ThroughputLimiter();
    const t0 = performance.now();
    await Promise.all(Array.from({ length: 30 }, () => l.acquire('A', 20))); // 20 burst + 10 more at 20/s ≈ 0.5 s
    const elapsed = performance.now() - t0;
    expect(elapsed).toBeGreaterThanOrEqual(400);
    expect(elapsed).toBeLessThan(1500);
    const t1 = performance.now();
    await l.acquire('B', 20);
    expect(performance.now() - t1).toBeLessThan(50);
  });
});
