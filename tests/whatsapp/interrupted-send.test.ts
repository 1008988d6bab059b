// Issue 17 item 2: a send cut off between storing its row and storing Meta's answer is resumed or
// reconciled, never left `accepted` forever and never sent twice (docs/whatsapp.md "Interrupted sends").
import { ManualClock } from '../../src/clock.js';
import { SEND_RESUME_AFTER_MS, SEND_UNCONFIRMED_AFTER_MS } from '../../src/whatsapp/recovery.js';
import { startLossyProxy, type LossyProxy } from '../helpers/lossy-proxy.js';
import { startTestRuntime, type TestRuntime } from '../helpers/runtime.js';
import { fixture, PHONE_NUMBER_ID, PORTAL_ID, postWebhook, seedNumber, waitFor } from './helpers.js';
import { startSim, type Sim } from './sim.js';

const DOMAINS = { hubspot: false, conversations: false, campaigns: false, templates: false, reminders: false } as const;
const clock = new ManualClock(new Date());
let rt: TestRuntime;
let s: Sim;
let proxy: LossyProxy;
let contactId: number;
const WA = '573007770001';

const atMeta = (messageId: number) => [...s.sim.state.messages.values()].filter((m) => m.bizOpaqueCallbackData === `m:${messageId}`);
const row = async (id: number) => (await rt.db.query(`SELECT status, wamid, error, dispatch_pending FROM messages WHERE id = $1`, [id])).rows[0];
const send = (text: string, clientKey?: string) =>
  rt.services.whatsapp!.send({ portalId: PORTAL_ID, contactId, phoneNumberId: PHONE_NUMBER_ID, sender: 'agent', content: { kind: 'text', text }, clientKey });
/** Moves the clock and lets the periodic tasks of the new period run (the reconciler among them), and their jobs. */
async function later(ms: number): Promise<void> {
  clock.advance(ms);
  // Two full passes of the scheduler's timer: the second started after the clock moved.
  const passes = rt.ctx.scheduler.passes;
  await waitFor(() => rt.ctx.scheduler.passes >= passes + 2, 'two scheduler passes');
  await rt.idle();
}

beforeAll(async () => {
  s = await startSim({ statusDelayMs: 5 });
  proxy = await startLossyProxy(s.url);
  rt = await startTestRuntime({ clock, domains: DOMAINS, env: { WHATSAPP_API_BASE_URL: proxy.url } });
  s.sim.setWebhookUrl(`${(await rt.listen(0, '127.0.0.1')).url}/webhooks/whatsapp`);
  await seedNumber(rt.db, rt.ctx.secrets);
  const c = await rt.db.query(`INSERT INTO contacts (portal_id, wa_id, phone_e164, consent) VALUES ($1, $2, $3, 'granted') RETURNING id`, [PORTAL_ID, WA, `+${WA}`]);
  contactId = Number(c.rows[0].id);
  await s.sim.customer.sendText({ from: WA, to: PHONE_NUMBER_ID, text: 'hola' }); // the window is open at Meta
  await s.sim.idle();
  await rt.idle();
});
afterAll(async () => {
  await rt?.close();
  await proxy?.close();
  await s?.close();
});

describe('interrupted sends', () => {
  it('Meta got it, its answer was lost: not resent; the status webhook reconciles it', async () => {
    proxy.mode = 'drop-answer';
    const m = await send('la respuesta se pierde', 'k-answer-lost');
    proxy.mode = 'pass';
    expect(m).toMatchObject({ status: 'accepted', wamid: null });
    expect(atMeta(m.id)).toHaveLength(1);
    // Meta's status webhooks name it by our callback data: the wamid and the status arrive that way.
    await s.sim.idle();
    await waitFor(async () => (await row(m.id)).wamid === atMeta(m.id)[0]!.wamid && (await row(m.id)).status === 'delivered');
    // The caller retries with its key, the retry job runs, the reconciler runs: nothing goes out again.
    expect((await send('la respuesta se pierde', 'k-answer-lost')).id).toBe(m.id);
    await rt.services.whatsapp!.sender.retry(m.id, 0);
    await later(SEND_UNCONFIRMED_AFTER_MS + 60_000);
    expect(atMeta(m.id)).toHaveLength(1);
    expect((await row(m.id)).status).toBe('delivered');
  });

  it('stored, then the process died before calling Meta: resumed once by the reconciler', async () => {
    // The row exactly as the sender's store() leaves it (dispatch_pending: Meta not called yet).
    const body = { messaging_product: 'whatsapp', recipient_type: 'individual', to: `+${WA}`, type: 'text', text: { body: 'nunca salió', preview_url: false } };
    const r = await rt.db.query<{ id: number }>(
      `INSERT INTO messages (portal_id, contact_id, phone_number_id, direction, type, text, payload, status, sender, sent_at, status_at, dispatch_pending)
       VALUES ($1, $2, $3, 'out', 'text', 'nunca salió', $4::jsonb, 'accepted', 'agent', $5, $5, true) RETURNING id`,
      [PORTAL_ID, contactId, PHONE_NUMBER_ID, JSON.stringify({ content: { kind: 'text', text: 'nunca salió' }, request: body, attempts: 0 }), clock.now()],
    );
    const id = Number(r.rows[0]!.id);
    await later(1000); // too soon: its sender may still be on its way to Meta
    expect(atMeta(id)).toHaveLength(0);
    await later(SEND_RESUME_AFTER_MS);
    await waitFor(async () => Boolean((await row(id)).wamid));
    expect(atMeta(id)).toHaveLength(1);
    expect(atMeta(id)[0]!.request).toMatchObject({ text: { body: 'nunca salió' } });
    await later(SEND_RESUME_AFTER_MS);
    await later(SEND_UNCONFIRMED_AFTER_MS);
    expect(atMeta(id)).toHaveLength(1);
  });

  it('stored, then the process died before calling Meta: the caller retrying with its key sends it at once, once', async () => {
    // What a job back from a dead worker's lost lease does: the same send again, with the same key.
    const r = await rt.db.query<{ id: number }>(
      `INSERT INTO messages (portal_id, contact_id, phone_number_id, client_key, direction, type, text, payload, status, sender, sent_at, status_at, dispatch_pending)
       VALUES ($1, $2, $3, 'k-died-before-meta', 'out', 'text', 'se reintenta', $4::jsonb, 'accepted', 'bot', $5, $5, true) RETURNING id`,
      [PORTAL_ID, contactId, PHONE_NUMBER_ID, JSON.stringify({ content: { kind: 'text', text: 'se reintenta' }, request: { messaging_product: 'whatsapp', to: `+${WA}`, type: 'text', text: { body: 'se reintenta' } }, attempts: 0 }), clock.now()],
    );
    const id = Number(r.rows[0]!.id);
    // Two retries at once (the job and a duplicate of it): one call at Meta, both get the sent row.
    const [a, b] = await Promise.all([send('se reintenta', 'k-died-before-meta'), send('se reintenta', 'k-died-before-meta')]);
    expect([a.id, b.id]).toEqual([id, id]);
    await waitFor(async () => Boolean((await row(id)).wamid));
    expect(atMeta(id)).toHaveLength(1);
    // Once sent, the key returns the row and nothing goes out again, nor does the reconciler resend it.
    expect((await send('se reintenta', 'k-died-before-meta')).wamid).toBe((await row(id)).wamid);
    await later(SEND_RESUME_AFTER_MS + 1000);
    expect(atMeta(id)).toHaveLength(1);
  });

  it('two resumes of the same stored send race: only one calls Meta', async () => {
    proxy.mode = 'drop-request'; // the first call never reaches Meta and gets no answer: unconfirmed, not resent
    const first = await send('se corta antes de Meta');
    proxy.mode = 'pass';
    expect(first).toMatchObject({ status: 'accepted', wamid: null });
    expect((await row(first.id)).dispatch_pending).toBe(false);
    // A row that is still pending, resumed twice at once (two instances): one claim wins.
    await rt.db.query(`UPDATE messages SET dispatch_pending = true WHERE id = $1`, [first.id]);
    await Promise.all([rt.services.whatsapp!.sender.retry(first.id, 0), rt.services.whatsapp!.sender.retry(first.id, 0)]);
    expect(atMeta(first.id)).toHaveLength(1);
  });

  it('handed to Meta, no answer, no webhook: failed as SEND_UNCONFIRMED after the timeout, never resent; a late webhook still applies', async () => {
    proxy.mode = 'drop-request'; // Meta never got it, but the app cannot know
    const m = await send('sin respuesta');
    proxy.mode = 'pass';
    expect(m).toMatchObject({ status: 'accepted', wamid: null });
    await later(SEND_UNCONFIRMED_AFTER_MS / 2);
    expect((await row(m.id)).status).toBe('accepted'); // still waiting for a status webhook
    await later(SEND_UNCONFIRMED_AFTER_MS);
    const failed = await row(m.id);
    expect(failed).toMatchObject({ status: 'failed', wamid: null, error: { code: 'SEND_UNCONFIRMED', reason: 'SEND_UNCONFIRMED' } });
    expect(failed.error.message).toMatch(/not sent again, to avoid a duplicate/);
    expect(atMeta(m.id)).toHaveLength(0);

    // Meta did have it after all and reports it late: the message takes Meta's word.
    const late = fixture('16-status-sent-2.json');
    Object.assign(late.entry[0].changes[0].value.statuses[0], { id: 'wamid.late.1', status: 'delivered', timestamp: String(Math.floor(Date.now() / 1000)), biz_opaque_callback_data: `m:${m.id}` });
    late.entry[0].changes[0].value.statuses[0].recipient_id = WA;
    expect((await postWebhook(rt.app, late)).status).toBe(200);
    await rt.idle();
    expect(await row(m.id)).toMatchObject({ status: 'delivered', wamid: 'wamid.late.1', error: null });
  });
});
