/**
 * Scheduling on the app's clock, pause/resume/cancel, crash safety and two instances (issue 14),
 * against the Meta simulator on a bare portal (no HubSpot calls).
 */
import { ManualClock } from '../../src/clock.js';
import { postWebhook } from '../whatsapp/helpers.js';
import { consented, PNID, PROMO, phoneOf, sendsPerPhone, startEnv, waitFor, waOf, WABA, campaignModules, type Env } from './helpers.js';

let env: Env;
let second: Env | undefined;
const clock = new ManualClock('2026-07-01T15:00:00Z');

beforeAll(async () => {
  env = await startEnv({ clock, mps: 10 });
  await consented(env.rt.db, env.portalId, Array.from({ length: 200 }, (_, i) => i));
  await env.rt.db.query(`UPDATE whatsapp_numbers SET throughput_per_second = 10`);
}, 180_000);
afterAll(async () => {
  await second?.close();
  await env?.close();
});

const create = (idx: number[], extra: Record<string, unknown> = {}) =>
  env.api('POST', '/api/v1/campaigns', {
    body: { name: 'C', phoneNumberId: PNID, templateName: PROMO.name, language: PROMO.language, recipients: idx.map((i) => ({ phone: phoneOf(i), parameters: ['Ana', `C${i}`] })), ...extra },
  });
const state = async (id: number) => (await env.api('GET', `/api/v1/campaigns/${id}`)).body.campaign;
/** Moves the clock and lets the periodic tasks of the new period run (two full scheduler passes), and their jobs. */
async function later(ms: number): Promise<void> {
  clock.advance(ms);
  const passes = env.rt.ctx.scheduler.passes;
  await waitFor(() => env.rt.ctx.scheduler.passes >= passes + 2, 20_000, 'two scheduler passes');
  await env.rt.idle();
}
const noClaims = (id: number) => waitFor(async () => (await env.rt.db.query(`SELECT count(*)::int AS n FROM campaign_recipients WHERE campaign_id = $1 AND state = 'claimed'`, [id])).rows[0].n === 0, 20_000, 'claims released');

describe('scheduling', () => {
  it('refuses less than 5 minutes ahead and warns under an hour', async () => {
    const soon = await create([0], { scheduledAt: new Date(clock.now().getTime() + 4 * 60_000).toISOString() });
    expect(soon.status).toBe(422);
    expect(soon.body.error.details).toHaveProperty('scheduledAt');
    const ok = await create([0], { scheduledAt: new Date(clock.now().getTime() + 30 * 60_000).toISOString() });
    expect(ok.status).toBe(201);
    expect(ok.body.warnings.map((w: any) => w.code)).toEqual(['SCHEDULED_SOON']);
    await env.api('POST', `/api/v1/campaigns/${ok.body.campaign.id}/cancel`);
  });

  it('starts a scheduled campaign when its time comes on the clock, in the portal time zone', async () => {
    // No offset: read in the portal's time zone (default settings: America/Bogota, UTC−5) → 17:00Z.
    const r = await create([1, 2], { scheduledAt: '2026-07-01T12:00:00' });
    expect(r.status).toBe(201);
    const id = r.body.campaign.id;
    expect(r.body.campaign.scheduledAt).toBe('2026-07-01T17:00:00.000Z');
    clock.set('2026-07-01T16:59:00Z');
    await env.rt.ctx.scheduler.tick();
    expect((await state(id)).status).toBe('scheduled');
    clock.set('2026-07-01T17:00:01Z');
    await env.rt.ctx.scheduler.tick();
    expect((await state(id)).status).toBe('running');
    await waitFor(async () => (await state(id)).status === 'completed', 30_000, 'completed');
    expect(sendsPerPhone(env.sim).get(waOf(1))).toBe(1);
  });
});

describe('pause, resume, cancel', () => {
  it('pause stops sending, resume sends the rest, each recipient once', async () => {
    const idx = Array.from({ length: 40 }, (_, i) => 10 + i);
    const id = (await create(idx)).body.campaign.id;
    await waitFor(async () => (await state(id)).counts.sent + (await state(id)).counts.delivered >= 3, 30_000, 'first sends');
    expect((await env.api('POST', `/api/v1/campaigns/${id}/pause`)).body.campaign.status).toBe('paused');
    await noClaims(id);
    const atPause = idx.filter((i) => sendsPerPhone(env.sim).has(waOf(i))).length;
    expect(atPause).toBeLessThan(40);
    expect((await env.api('POST', `/api/v1/campaigns/${id}/pause`)).status).toBe(409);
    expect((await env.api('POST', `/api/v1/campaigns/${id}/resume`)).body.campaign.status).toBe('running');
    await waitFor(async () => (await state(id)).status === 'completed', 60_000, 'completed');
    const per = sendsPerPhone(env.sim);
    expect(idx.every((i) => per.get(waOf(i)) === 1)).toBe(true);
  });

  it('cancel sends nothing more: the rest are skipped as CANCELLED', async () => {
    const idx = Array.from({ length: 40 }, (_, i) => 60 + i);
    const id = (await create(idx)).body.campaign.id;
    await waitFor(async () => (await state(id)).counts.sent + (await state(id)).counts.delivered >= 2, 30_000, 'first sends');
    const c = (await env.api('POST', `/api/v1/campaigns/${id}/cancel`)).body.campaign;
    expect(c.status).toBe('cancelled');
    await noClaims(id);
    const r = await env.rt.db.query(`SELECT state, count(*)::int AS n FROM campaign_recipients WHERE campaign_id = $1 GROUP BY state`, [id]);
    const by = Object.fromEntries(r.rows.map((x) => [x.state, x.n]));
    expect(by.skipped).toBeGreaterThan(0);
    expect(by.pending ?? 0).toBe(0);
    const sent = idx.filter((i) => sendsPerPhone(env.sim).has(waOf(i))).length;
    expect(sent).toBe(by.sent ?? 0);
    expect((await env.api('POST', `/api/v1/campaigns/${id}/resume`)).status).toBe(409);
  });
});

describe('crash safety', () => {
  it('after a worker died: a message Meta got is not sent again, one never handed over is sent once, one cut off is failed as unconfirmed', async () => {
    // Scheduled, so this instance's workers do not pick it up before we stage the crash.
    const r = await create([120, 121, 122, 123], { scheduledAt: new Date(clock.now().getTime() + 10 * 60_000).toISOString() });
    const id = r.body.campaign.id;
    const recs = (await env.rt.db.query(`SELECT r.id, r.contact_id FROM campaign_recipients r WHERE campaign_id = $1 ORDER BY id`, [id])).rows;
    const request = (i: number) => ({
      messaging_product: 'whatsapp', recipient_type: 'individual', to: `+${waOf(i)}`, type: 'template',
      template: { name: PROMO.name, language: { code: PROMO.language }, components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ana' }, { type: 'text', text: `C${i}` }] }] },
    });
    const storedAt = new Date(clock.now().getTime() - 60_000);
    const stage = async (n: number, i: number, dispatched: boolean, at = storedAt) =>
      (
        await env.rt.db.query(
          `INSERT INTO messages (portal_id, contact_id, phone_number_id, client_key, direction, type, payload, status, sender, template_name, sent_at, dispatch_pending, dispatched_at)
           VALUES ($1, $2, $3, $4, 'out', 'template', $5::jsonb, 'accepted', 'campaign', $6, $7, $8, $9) RETURNING id`,
          [env.portalId, recs[n].contact_id, PNID, `campaign:${id}:${recs[n].id}`, JSON.stringify({ request: request(i), attempts: 0 }), PROMO.name, at, !dispatched, dispatched ? at : null],
        )
      ).rows[0].id as number;
    const got = await stage(0, 120, true); // handed to Meta, which took it; the worker died before storing the wamid
    const unsent = await stage(2, 122, false); // stored, died waiting for its throughput slot
    // handed over a minute before the crash (the campaign's start), cut off on the way: Meta never got it, no status will come
    const cut = await stage(3, 123, true, new Date(clock.now().getTime() + 10 * 60_000));
    await env.rt.db.query(`UPDATE campaign_recipients SET state = 'claimed', claimed_by = 'dead-worker', claimed_at = now() WHERE id = ANY($1::bigint[])`, [[recs[0].id, recs[2].id, recs[3].id]]);
    // Meta's status names the message it took (biz_opaque_callback_data).
    const status = { id: 'wamid.staged.120', status: 'sent', timestamp: String(Math.floor(Date.now() / 1000)), recipient_id: waOf(120), biz_opaque_callback_data: `m:${got}` };
    const hook = await postWebhook(env.rt.app, {
      object: 'whatsapp_business_account',
      entry: [{ id: WABA, changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '576015550000', phone_number_id: PNID }, statuses: [status] } }] }],
    });
    expect(hook.status).toBe(200);
    await waitFor(async () => (await env.rt.db.query(`SELECT wamid FROM messages WHERE id = $1`, [got])).rows[0].wamid !== null, 10_000, 'the status webhook processed');
    await later(11 * 60_000); // the campaign's time, the take-over (claims adopted), the sender's reconciler
    await waitFor(async () => (await state(id)).status === 'completed', 30_000, 'completed');
    await waitFor(async () => (await env.rt.db.query(`SELECT wamid FROM messages WHERE id = $1`, [unsent])).rows[0].wamid !== null, 30_000, 'the stored message resumed');
    expect([120, 121, 122, 123].map((i) => sendsPerPhone(env.sim).get(waOf(i)) ?? 0)).toEqual([0, 1, 1, 0]);
    const view = async () => (await env.api('GET', `/api/v1/campaigns/${id}/recipients`)).body.recipients as Array<{ status: string; reason: string | null; messageId: number }>;
    const before = await view();
    expect(before.map((x) => x.messageId)).toEqual([got, expect.any(Number), unsent, cut]); // no second message row
    // Meta's statuses for what it took (the simulator delivers real sends); the cut-off one waits.
    expect(before.map((x) => x.status)).toEqual([expect.stringMatching(/^(sent|delivered)$/), expect.stringMatching(/^(sent|delivered)$/), expect.stringMatching(/^(sent|delivered)$/), 'pending']);
    // No answer and no status for 10 minutes: at most once at Meta, so it is reported, not resent.
    await later(10 * 60_000);
    const after = await view();
    expect(after[3]).toMatchObject({ status: 'failed', reason: expect.stringContaining('SEND_UNCONFIRMED') });
    expect(sendsPerPhone(env.sim).get(waOf(123)) ?? 0).toBe(0);
  });

  it('two instances on one database, both working, send each recipient exactly once', async () => {
    second = await startEnv({ clock, db: env.rt.db, modules: campaignModules({ runner: { leaseMs: 2000, staleClaimMs: 3000 } }) });
    // Both instances send through the same simulator number.
    const idx = Array.from({ length: 50 }, (_, i) => 130 + i);
    const id = (await create(idx)).body.campaign.id;
    await waitFor(async () => (await state(id)).counts.sent + (await state(id)).counts.delivered >= 5, 30_000, 'first sends');
    await waitFor(async () => (await state(id)).status === 'completed', 90_000, 'completed');
    // Each instance has its own simulator connection: count what both saw.
    const a = sendsPerPhone(env.sim);
    const b = sendsPerPhone(second.sim);
    expect(idx.every((i) => (a.get(waOf(i)) ?? 0) + (b.get(waOf(i)) ?? 0) === 1)).toBe(true);
  });
});
