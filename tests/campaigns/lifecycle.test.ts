/**
 * Scheduling on the app's clock, pause/resume/cancel, crash safety and two instances (issue 14),
 * against the Meta simulator on a bare portal (no HubSpot calls).
 */
import { ManualClock } from '../../src/clock.js';
import { consented, PNID, PROMO, phoneOf, sendsPerPhone, startEnv, waitFor, waOf, campaignModules, type Env } from './helpers.js';

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
  it('a recipient whose message was stored (Meta may have accepted it) before the worker died is not sent again', async () => {
    // Stop this instance's workers from picking it up before we stage the crash.
    const r = await create([120, 121], { scheduledAt: new Date(clock.now().getTime() + 10 * 60_000).toISOString() });
    const id = r.body.campaign.id;
    const rec = (await env.rt.db.query(`SELECT r.id, r.contact_id FROM campaign_recipients r WHERE campaign_id = $1 ORDER BY id LIMIT 1`, [id])).rows[0];
    // The state a worker leaves when it dies between Meta's accept and storing the wamid.
    await env.rt.db.query(
      `INSERT INTO messages (portal_id, contact_id, phone_number_id, client_key, direction, type, payload, status, sender, template_name, sent_at)
       VALUES ($1, $2, $3, $4, 'out', 'template', '{}', 'accepted', 'campaign', $5, now())`,
      [env.portalId, rec.contact_id, PNID, `campaign:${id}:${rec.id}`, PROMO.name],
    );
    await env.rt.db.query(`UPDATE campaign_recipients SET state = 'claimed', claimed_by = 'dead-worker', claimed_at = now() - interval '1 hour' WHERE id = $1`, [rec.id]);
    clock.advance(11 * 60_000);
    await env.rt.ctx.scheduler.tick();
    await waitFor(async () => (await state(id)).status === 'completed', 30_000, 'completed');
    expect(sendsPerPhone(env.sim).get(waOf(120)) ?? 0).toBe(0);
    expect(sendsPerPhone(env.sim).get(waOf(121))).toBe(1);
    const after = (await env.rt.db.query(`SELECT state, message_id FROM campaign_recipients WHERE id = $1`, [rec.id])).rows[0];
    expect(after.state).toBe('sent');
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
