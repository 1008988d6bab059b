import request from 'supertest';
import { drainKeyOf, LANES, PASS_SIZE, WEBHOOK_WAKE_QUEUE, WebhookDrains, laneKey } from '../../src/whatsapp/drain.js';
import { startTestRuntime, type TestRuntime } from '../helpers/runtime.js';
import { fixture, fixtureNames, jobCount, PHONE_NUMBER_ID, PORTAL_ID, postWebhook, rewriteIds, seedNumber, WABA_ID } from './helpers.js';

let rt: TestRuntime;

async function lastEventIds(n: number): Promise<number[]> {
  const r = await rt.db.query(`SELECT id FROM webhook_events ORDER BY id DESC LIMIT $1`, [n]);
  return r.rows.map((x) => Number(x.id)).reverse();
}

async function processAll(): Promise<void> {
  const r = await rt.db.query(`SELECT id FROM webhook_events WHERE state = 'pending' ORDER BY id`);
  for (const { id } of r.rows) await rt.services.whatsapp!.processEvent(Number(id));
}

async function outbound(wamid: string): Promise<number> {
  const c = await rt.db.query(`INSERT INTO contacts (portal_id, phone_e164) VALUES ($1, '+16505551234') ON CONFLICT (portal_id, phone_e164) WHERE phone_e164 IS NOT NULL DO UPDATE SET updated_at = now() RETURNING id`, [PORTAL_ID]);
  const m = await rt.db.query(
    `INSERT INTO messages (portal_id, contact_id, phone_number_id, wamid, direction, type, text, status, sender, sent_at)
     VALUES ($1, $2, $3, $4, 'out', 'text', 'hi', 'accepted', 'agent', now()) RETURNING id`,
    [PORTAL_ID, c.rows[0].id, PHONE_NUMBER_ID, wamid],
  );
  return Number(m.rows[0].id);
}

function statusPayload(wamid: string, status: string, ts: number, extra: Record<string, unknown> = {}) {
  const p = fixture('16-status-sent-2.json');
  Object.assign(p.entry[0].changes[0].value.statuses[0], { id: wamid, status, timestamp: String(ts) }, extra);
  return p;
}

beforeAll(async () => {
  rt = await startTestRuntime({ work: false });
  await seedNumber(rt.db, rt.ctx.secrets);
  await rt.ctx.jobs.define({ name: 'test.inbound', handler: async () => undefined });
  await rt.ctx.jobs.define({ name: 'test.status', handler: async () => undefined });
  rt.ctx.events.subscribe('message.inbound', 'test.inbound');
  rt.ctx.events.subscribe('message.status', 'test.status');
});
afterAll(async () => {
  await rt?.close();
});

describe('GET /webhooks/whatsapp (handshake)', () => {
  it('echoes the challenge when the verify token matches, else 403', async () => {
    const ok = await request(rt.app).get('/webhooks/whatsapp').query({ 'hub.mode': 'subscribe', 'hub.challenge': '1158201444', 'hub.verify_token': 'test-verify-token' });
    expect(ok.status).toBe(200);
    expect(ok.text).toBe('1158201444');
    const bad = await request(rt.app).get('/webhooks/whatsapp').query({ 'hub.mode': 'subscribe', 'hub.challenge': '1', 'hub.verify_token': 'nope' });
    expect(bad.status).toBe(403);
    const noMode = await request(rt.app).get('/webhooks/whatsapp').query({ 'hub.challenge': '1', 'hub.verify_token': 'test-verify-token' });
    expect(noMode.status).toBe(403);
  });
});

describe('POST /webhooks/whatsapp', () => {
  it('refuses a missing, forged or wrong-secret signature with 401 and stores nothing', async () => {
    const before = (await rt.db.query(`SELECT count(*)::int AS n FROM webhook_events`)).rows[0].n;
    const jobsBefore = await jobCount(rt.db, 'whatsapp.webhook');
    const p = fixture('01-text.json');
    expect((await postWebhook(rt.app, p, { signature: null })).status).toBe(401);
    expect((await postWebhook(rt.app, p, { signature: 'sha256=' + '0'.repeat(64) })).status).toBe(401);
    expect((await postWebhook(rt.app, p, { signature: 'sha256=abc' })).status).toBe(401);
    expect((await postWebhook(rt.app, p, { secret: 'another-app-secret' })).status).toBe(401);
    // Signed over re-serialized JSON while the bytes differ (Meta's escaping): refused.
    const { signMetaBody } = await import('../../src/whatsapp/signature.js');
    const tampered = await request(rt.app)
      .post('/webhooks/whatsapp')
      .set('Content-Type', 'application/json')
      .set('X-Hub-Signature-256', signMetaBody(JSON.stringify(p), 'test-meta-app-secret'))
      .send(JSON.stringify(p).replace('another color', 'another colour'));
    expect(tampered.status).toBe(401);
    expect((await rt.db.query(`SELECT count(*)::int AS n FROM webhook_events`)).rows[0].n).toBe(before);
    expect(await jobCount(rt.db, 'whatsapp.webhook')).toBe(jobsBefore);
  });

  it('stores a valid POST with its exact bytes and wakes the drain of its number, then answers 200', async () => {
    const p = rewriteIds(fixture('01-text.json'), 'store');
    p.entry[0].changes[0].value.messages[0].text.body = 'Olá, ¿tienen envíos a Bogotá? 😀 https://x.co/a';
    const { metaJson } = await import('./helpers.js');
    const res = await postWebhook(rt.app, p);
    expect(res.status).toBe(200);
    const [id] = await lastEventIds(1);
    const ev = await rt.db.query(`SELECT raw_body, state, received_at FROM webhook_events WHERE id = $1`, [id]);
    expect(ev.rows[0].raw_body).toBeInstanceOf(Buffer); // bytea: any body stores (a NUL byte too)
    expect(ev.rows[0].raw_body.toString('utf8')).toBe(metaJson(p));
    expect(ev.rows[0].raw_body.toString('utf8')).toContain('\\u00e1'); // Meta's escaped form, signature checked on these bytes
    expect(ev.rows[0].state).toBe('pending');
    expect(ev.rows[0].received_at).toBeInstanceOf(Date);
    // Its number's drain is woken (one queued wake per number), and the event names its number.
    const pnid = p.entry[0].changes[0].value.metadata.phone_number_id;
    const stored = (await rt.db.query(`SELECT number_key, lane FROM webhook_events WHERE id = $1`, [id])).rows[0];
    expect(stored).toEqual({ number_key: pnid, lane: drainKeyOf(Buffer.from(metaJson(p))).lane });
    const job = await rt.db.query(`SELECT data, singleton_key FROM pgboss.job WHERE name = 'whatsapp.webhook.wake' ORDER BY created_on DESC LIMIT 1`);
    expect(job.rows[0]).toEqual({ data: { numberKey: pnid, lane: stored.lane }, singleton_key: `${pnid}/${stored.lane}` });
    await processAll();
    const m = await rt.db.query(`SELECT text FROM messages WHERE wamid = $1`, [p.entry[0].changes[0].value.messages[0].id]);
    expect(m.rows[0].text).toBe('Olá, ¿tienen envíos a Bogotá? 😀 https://x.co/a');
  });

  it('drains a customer\'s messages and the statuses of our replies to them in one lane, customers spread over the lanes', () => {
    const msg = (waId: string) => Buffer.from(JSON.stringify({ entry: [{ changes: [{ value: { metadata: { phone_number_id: '111' }, contacts: [{ wa_id: waId }], messages: [{ from: waId, id: 'x' }] } }] }] }));
    const status = (waId: string) => Buffer.from(JSON.stringify({ entry: [{ changes: [{ value: { metadata: { phone_number_id: '111' }, statuses: [{ id: 'y', recipient_id: waId }] } }] }] }));
    const lanes = new Set<number>();
    for (let i = 0; i < 40; i++) {
      const waId = `57300${1000 + i}`;
      expect(drainKeyOf(msg(waId))).toEqual(drainKeyOf(status(waId)));
      expect(drainKeyOf(msg(waId)).numberKey).toBe('111');
      lanes.add(drainKeyOf(msg(waId)).lane);
    }
    expect(lanes.size).toBe(LANES);
    expect(drainKeyOf(Buffer.from('not json'))).toEqual({ numberKey: 'unknown', lane: 0 });
  });

  it.each(fixtureNames())('accepts fixture %s signed and processes it into the right type or status', async (name) => {
    const suffix = name.replace('.json', '');
    const p = rewriteIds(fixture(name), suffix);
    const value = p.entry[0].changes[0].value;
    let outboundId: number | undefined;
    if (value.statuses) outboundId = await outbound(value.statuses[0].id);
    const res = await postWebhook(rt.app, p);
    expect(res.status).toBe(200);
    const [id] = await lastEventIds(1);
    const summary: any = await rt.services.whatsapp!.processEvent(id!);
    const ev = await rt.db.query(`SELECT state, summary FROM webhook_events WHERE id = $1`, [id]);
    expect(ev.rows[0].state).toBe('processed');
    expect(summary.problems).toEqual([]);
    if (value.messages) {
      const msg = value.messages[0];
      const r = await rt.db.query(`SELECT m.*, c.phone_e164, c.profile_name FROM messages m JOIN contacts c ON c.id = m.contact_id WHERE m.wamid = $1`, [msg.id]);
      expect(r.rows).toHaveLength(1);
      const row = r.rows[0];
      expect(row).toMatchObject({ direction: 'in', type: msg.type, status: 'received', sender: 'customer', portal_id: PORTAL_ID, phone_number_id: PHONE_NUMBER_ID });
      expect(row.phone_e164).toBe('+16505551234');
      expect(row.profile_name).toBe('Sheena Nelson');
      expect(row.sent_at.getTime()).toBe(Number(msg.timestamp) * 1000);
      expect(row.payload.id).toBe(msg.id);
      expect(typeof row.text).toBe('string');
      const media = await rt.db.query(`SELECT * FROM media_objects WHERE message_id = $1`, [row.id]);
      expect(media.rows.length).toBe(['image', 'document', 'audio', 'video', 'sticker'].includes(msg.type) ? 1 : 0);
      if (media.rows.length) expect(media.rows[0]).toMatchObject({ direction: 'in', state: 'pending', meta_media_id: msg[msg.type].id });
    }
    if (value.statuses) {
      const st = value.statuses[0];
      const r = await rt.db.query(`SELECT status, error FROM messages WHERE id = $1`, [outboundId]);
      expect(r.rows[0].status).toBe(st.status);
      const evs = await rt.db.query(`SELECT * FROM message_status_events WHERE wamid = $1`, [st.id]);
      expect(evs.rows).toHaveLength(1);
      if (st.pricing) expect(evs.rows[0].pricing).toMatchObject({ pricing_model: 'PMP', category: 'marketing' });
      if (st.status === 'failed') {
        expect(r.rows[0].error).toMatchObject({ code: 131049, title: st.errors[0].title, details: st.errors[0].error_data.details, reason: 'MARKETING_LIMIT' });
      }
    }
    if (name.startsWith('14-')) expect(summary.valueErrors[0]).toMatchObject({ code: 130429, title: 'Rate limit hit' });
  });

  it('stores the same message delivered 3 times concurrently exactly once', async () => {
    const p = rewriteIds(fixture('01-text.json'), 'dup3');
    const wamid = p.entry[0].changes[0].value.messages[0].id;
    const inboundBefore = await jobCount(rt.db, 'test.inbound');
    const posts = await Promise.all([postWebhook(rt.app, p), postWebhook(rt.app, p), postWebhook(rt.app, p)]);
    expect(posts.map((r) => r.status)).toEqual([200, 200, 200]);
    const ids = await lastEventIds(3);
    await Promise.all(ids.map((id) => rt.services.whatsapp!.processEvent(id)));
    const r = await rt.db.query(`SELECT count(*)::int AS n FROM messages WHERE wamid = $1`, [wamid]);
    expect(r.rows[0].n).toBe(1);
    expect(await jobCount(rt.db, 'test.inbound')).toBe(inboundBefore + 1);
    const states = await rt.db.query(`SELECT state FROM webhook_events WHERE id = ANY($1::bigint[])`, [ids]);
    expect(states.rows.map((s) => s.state)).toEqual(['processed', 'processed', 'processed']);
  });

  it('keeps a status moving forward only: read, sent, delivered → read', async () => {
    const wamid = 'wamid.order-test-1';
    const id = await outbound(wamid);
    const statusBefore = await jobCount(rt.db, 'test.status');
    for (const [s, ts] of [['read', 300], ['sent', 100], ['delivered', 200]] as const) {
      await postWebhook(rt.app, statusPayload(wamid, s, 1750030000 + ts));
      await processAll();
    }
    const r = await rt.db.query(`SELECT status, status_at FROM messages WHERE id = $1`, [id]);
    expect(r.rows[0].status).toBe('read');
    expect(r.rows[0].status_at.getTime()).toBe((1750030000 + 300) * 1000);
    expect(await jobCount(rt.db, 'test.status')).toBe(statusBefore + 1);
    const evs = await rt.db.query(`SELECT status FROM message_status_events WHERE wamid = $1 ORDER BY status`, [wamid]);
    expect(evs.rows.map((e) => e.status)).toEqual(['delivered', 'read', 'sent']);
  });

  it('keeps failed final with Meta’s code, title and details; later statuses do not undo it', async () => {
    const wamid = 'wamid.failed-test-1';
    const id = await outbound(wamid);
    await postWebhook(rt.app, statusPayload(wamid, 'sent', 1750030001));
    const failed = fixture('17-status-failed.json');
    failed.entry[0].changes[0].value.statuses[0].id = wamid;
    await postWebhook(rt.app, failed);
    await postWebhook(rt.app, statusPayload(wamid, 'delivered', 1751142999));
    await postWebhook(rt.app, statusPayload(wamid, 'read', 1751143000));
    await processAll();
    const r = await rt.db.query(`SELECT status, error FROM messages WHERE id = $1`, [id]);
    expect(r.rows[0].status).toBe('failed');
    expect(r.rows[0].error).toMatchObject({
      code: 131049,
      title: 'This message was not delivered to maintain healthy ecosystem engagement.',
      details: 'In order to maintain a healthy ecosystem engagement, the message failed to be delivered.',
    });
  });

  it('stores and reports a webhook for a number no portal has connected, without processing it', async () => {
    const p = rewriteIds(fixture('01-text.json'), 'unrouted');
    p.entry[0].changes[0].value.metadata.phone_number_id = '999000111';
    expect((await postWebhook(rt.app, p)).status).toBe(200);
    const [id] = await lastEventIds(1);
    await processAll();
    const ev = await rt.db.query(`SELECT state, summary, raw_body FROM webhook_events WHERE id = $1`, [id]);
    expect(ev.rows[0].state).toBe('unrouted');
    expect(ev.rows[0].summary.unrouted).toEqual(['999000111']);
    expect(ev.rows[0].raw_body.toString('utf8')).toContain('999000111');
    const m = await rt.db.query(`SELECT count(*)::int AS n FROM messages WHERE wamid = $1`, [p.entry[0].changes[0].value.messages[0].id]);
    expect(m.rows[0].n).toBe(0);
  });

  it('accepts a BSUID-only customer and stores the contact by user id', async () => {
    const p = rewriteIds(fixture('01-text.json'), 'bsuid');
    const v = p.entry[0].changes[0].value;
    v.contacts = [{ profile: { name: 'Ana' }, user_id: 'CO.1502576394655843' }];
    delete v.messages[0].from;
    v.messages[0].from_user_id = 'CO.1502576394655843';
    await postWebhook(rt.app, p);
    await processAll();
    const r = await rt.db.query(`SELECT c.bsuid, c.phone_e164 FROM messages m JOIN contacts c ON c.id = m.contact_id WHERE m.wamid = $1`, [v.messages[0].id]);
    expect(r.rows[0]).toEqual({ bsuid: 'CO.1502576394655843', phone_e164: null });
  });

  it('applies template status and quality webhooks to synced templates', async () => {
    await rt.db.query(
      `INSERT INTO message_templates (waba_id, meta_template_id, name, language, category, status, components)
       VALUES ($1, '1689556908129835', 'abandoned_cart', 'en', 'MARKETING', 'PENDING', '[]'),
              ($1, NULL, 'order_confirmation', 'en_US', 'UTILITY', 'PENDING', '[]')`,
      [WABA_ID],
    );
    await postWebhook(rt.app, fixture('18-template-approved.json'));
    await postWebhook(rt.app, fixture('19-template-rejected.json'));
    await processAll();
    const r = await rt.db.query(`SELECT name, status, rejected_reason, meta_template_id, status_detail FROM message_templates WHERE waba_id = $1 ORDER BY name`, [WABA_ID]);
    expect(r.rows[0]).toMatchObject({ name: 'abandoned_cart', status: 'REJECTED', rejected_reason: 'INVALID_FORMAT' });
    expect(r.rows[0].status_detail.rejection_info.reason).toContain('parameters placed next to each other');
    expect(r.rows[1]).toMatchObject({ name: 'order_confirmation', status: 'APPROVED', meta_template_id: '1689556908129832' });
    await postWebhook(rt.app, fixture('20-quality-update.json'));
    await processAll();
    const n = await rt.db.query(`SELECT messaging_limit_tier, throughput_per_second FROM whatsapp_numbers WHERE phone_number_id = $1`, [PHONE_NUMBER_ID]);
    expect(n.rows[0]).toEqual({ messaging_limit_tier: 'TIER_UNLIMITED', throughput_per_second: 1000 });
  });

  it('keeps a body that is not JSON as invalid (signed, so acknowledged)', async () => {
    expect((await postWebhook(rt.app, '{not json')).status).toBe(200);
    const [id] = await lastEventIds(1);
    await processAll();
    const ev = await rt.db.query(`SELECT state FROM webhook_events WHERE id = $1`, [id]);
    expect(ev.rows[0].state).toBe('invalid');
  });

  it('a drain stops between passes when its process shuts down and leaves the rest to a fresh wake-up', async () => {
    // A lane with a backlog of three passes (a number nobody connected: processing is cheap).
    const key = { numberKey: '999000111', lane: 2 };
    const bodies = Array.from({ length: PASS_SIZE * 2 + 20 }, (_, i) => Buffer.from(`{"object":"whatsapp_business_account","entry":[],"n":${i}}`));
    await rt.db.query(
      `INSERT INTO webhook_events (raw_body, number_key, lane) SELECT b, $2, $3 FROM unnest($1::bytea[]) AS t(b)`,
      [bodies, key.numberKey, key.lane],
    );
    let passes = 0;
    const drains = new WebhookDrains(rt.ctx);
    await drains.wake(key.numberKey, key.lane, { lastAttempt: false, stopping: () => ++passes >= 1 });
    const left = await rt.db.query(`SELECT count(*)::int AS n FROM webhook_events WHERE number_key = $1 AND state = 'pending'`, [key.numberKey]);
    expect(left.rows[0].n).toBe(PASS_SIZE + 20);
    const wake = await rt.db.query(`SELECT count(*)::int AS n FROM pgboss.job WHERE name = $1 AND singleton_key = $2 AND state = 'created'`, [
      WEBHOOK_WAKE_QUEUE,
      laneKey(key.numberKey, key.lane),
    ]);
    expect(wake.rows[0].n).toBe(1);
    // Not shutting down: the same lane drains to the end.
    await drains.wake(key.numberKey, key.lane, { lastAttempt: false });
    const after = await rt.db.query(`SELECT count(*)::int AS n FROM webhook_events WHERE number_key = $1 AND state = 'pending'`, [key.numberKey]);
    expect(after.rows[0].n).toBe(0);
  });
});
