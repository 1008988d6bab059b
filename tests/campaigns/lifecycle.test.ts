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
  it('after a worker died: a message Meta got is not sent again; one never handed over, or lost on the way, is sent once', async () => {
    // Scheduled, so this instance's workers do not pick it up before we stage the crash.
    const r = await create([120, 121, 122, 123], { scheduledAt: new Date(clock.now().getTime() + 10 * 60_000).toISOString() });
    const id = r.body.campaign.id;
    const recs = (await env.rt.db.query(`SELECT r.id, r.contact_id FROM campaign_recipients r WHERE campaign_id = $1 ORDER BY id`, [id])).rows;
    const request = (i: number) => ({
      messaging_product: 'whatsapp', recipient_type: 'individual', to: `+${waOf(i)}`, type: 'template',
      template: { name: PROMO.name, language: { code: PROMO.language }, components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ana' }, { type: 'text', text: `C${i}` }] }] },
    });
    const stage = async (n: number, i: number, handedAt?: Date) =>
      (
        await env.rt.db.query(
          `INSERT INTO messages (portal_id, contact_id, phone_number_id, client_key, direction, type, payload, status, sender, template_name, sent_at)
           VALUES ($1, $2, $3, $4, 'out', 'template', $5::jsonb, 'accepted', 'campaign', $6, now()) RETURNING id`,
          [env.portalId, recs[n].contact_id, PNID, `campaign:${id}:${recs[n].id}`, JSON.stringify({ request: request(i), attempts: 0, ...(handedAt ? { handedAt } : {}) }), PROMO.name],
        )
      ).rows[0].id as number;
    // 120: handed to Meta, which accepted it; the worker died before storing the wamid. Meta's status names it.
    const got = await stage(0, 120, new Date());
    // 122: stored, died waiting for its throughput slot (never handed over).
    const unsent = await stage(2, 122);
    // 123: handed over two minutes ago, and no status ever came: the request never reached Meta.
    const lost = await stage(3, 123, new Date(Date.now() - 120_000));
    await env.rt.db.query(`UPDATE campaign_recipients SET state = 'claimed', claimed_by = 'dead-worker', claimed_at = now() WHERE id = ANY($1::bigint[])`, [[recs[0].id, recs[2].id, recs[3].id]]);
    const status = { id: 'wamid.staged.120', status: 'sent', timestamp: String(Math.floor(Date.now() / 1000)), recipient_id: waOf(120), biz_opaque_callback_data: `m:${got}` };
    const hook = await postWebhook(env.rt.app, {
      object: 'whatsapp_business_account',
      entry: [{ id: WABA, changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '576015550000', phone_number_id: PNID }, statuses: [status] } }] }],
    });
    expect(hook.status).toBe(200);
    await waitFor(async () => (await env.rt.db.query(`SELECT wamid FROM messages WHERE id = $1`, [got])).rows[0].wamid !== null, 10_000, 'the status webhook processed');
    clock.advance(11 * 60_000);
    await env.rt.ctx.scheduler.tick();
    await waitFor(async () => (await state(id)).status === 'completed', 30_000, 'completed');
    expect([120, 121, 122, 123].map((i) => sendsPerPhone(env.sim).get(waOf(i)) ?? 0)).toEqual([0, 1, 1, 1]);
    const after = (await env.rt.db.query(`SELECT r.state, r.message_id, m.wamid FROM campaign_recipients r JOIN messages m ON m.id = r.message_id WHERE r.campaign_id = $1 ORDER BY r.id`, [id])).rows;
    expect(after.map((x) => x.state)).toEqual(['sent', 'sent', 'sent', 'sent']);
    expect(after[0]).toMatchObject({ message_id: got, wamid: 'wamid.staged.120' });
    // The stored messages themselves went out (no second message row).
    expect(after[2]).toMatchObject({ message_id: unsent, wamid: expect.stringMatching(/^wamid\./) });
    expect(after[3]).toMatchObject({ message_id: lost, wamid: expect.stringMatching(/^wamid\./) });
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
