// /oauth/install needs no account and writes a state row: it used to write 500 rows for 500
// anonymous calls in under a second (issue 17). Now state creation is rate limited per client
// address and in all (across instances: shared_limits), and expired states are deleted.
import request from 'supertest';
import { ManualClock } from '../../src/clock.js';
import { OAuthStates, STATE_EXPIRY_EVERY_MS } from '../../src/hubspot/oauth-states.js';
import type { TestRuntime } from '../helpers/runtime.js';
import { startApp, startSimulator, waitFor, type SimHandle } from './helpers.js';

let h: SimHandle;
let rt: TestRuntime;
const clock = new ManualClock(Date.now());
const states = async () => (await rt.db.query('SELECT count(*)::int AS n FROM hubspot_oauth_states')).rows[0].n as number;

beforeAll(async () => {
  h = await startSimulator();
  rt = await startApp(h.url, { clock });
});
afterAll(async () => {
  await rt?.close();
  await h?.close();
});

describe('OAuth install states', () => {
  test('rapid anonymous calls from one address get 429 with Retry-After after a small burst; rows stay bounded', async () => {
    const answers = [];
    const t0 = Date.now();
    for (let i = 0; i < 60; i++) answers.push(await request(rt.app).get('/oauth/install'));
    const refilled = Math.ceil(((Date.now() - t0) / 1000) * 0.5); // 30 a minute come back
    const redirected = answers.filter((r) => r.status === 302).length;
    const limited = answers.filter((r) => r.status === 429);
    expect(redirected).toBeGreaterThanOrEqual(10); // a person retrying an install is never in the way
    expect(redirected).toBeLessThanOrEqual(10 + refilled + 1);
    expect(limited.length).toBe(60 - redirected);
    expect(Number(limited[0]!.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(limited[0]!.headers['content-type']).toMatch(/text\/html/);
    expect(limited[0]!.text).toContain('Too many installation attempts');
    expect(limited[0]!.text).toContain('/oauth/install');
    expect(await states()).toBe(redirected);
  });

  test('many addresses together are bounded too (the total budget)', async () => {
    const s = new OAuthStates(rt.ctx);
    const results = await Promise.all(Array.from({ length: 120 }, (_, i) => s.create(`198.51.100.${i}`)));
    const created = results.filter((r) => 'state' in r).length;
    expect(created).toBeGreaterThanOrEqual(40);
    expect(created).toBeLessThanOrEqual(60);
    expect(results.find((r) => 'retryAfterMs' in r)).toMatchObject({ retryAfterMs: expect.any(Number) });
  });

  test('expired states are deleted by the periodic task, without anyone installing', async () => {
    expect(await states()).toBeGreaterThan(0);
    clock.advance(Math.max(11 * 60_000, STATE_EXPIRY_EVERY_MS));
    await rt.ctx.scheduler.tick(); // the runtime's own scheduler may claim the period first: either runs the task
    await waitFor(async () => (await states()) === 0, 'expired states deleted');
  });

  test('an expired state is refused at the callback even before the clean-up ran', async () => {
    // The earlier tests spent the install budget (it refills on the database's real clock): start afresh.
    await rt.db.query(`DELETE FROM shared_limits WHERE key LIKE 'oauth-install:%'`);
    const s = new OAuthStates(rt.ctx);
    const created = await s.create('203.0.113.7');
    if (!('state' in created)) throw new Error('expected a state');
    clock.advance(11 * 60_000);
    expect(await s.consume(created.state)).toBe(false);
  });
});
