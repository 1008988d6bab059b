// The extension API's per-portal budget (issue 17, API_CONTRACT RATE_LIMITED): 1,000 rapid calls
// from one portal used to all be served. Now a portal over API_RATE_LIMIT_PER_MINUTE gets
// 429 RATE_LIMITED with Retry-After — counted in PostgreSQL, so two instances share one budget —
// and other portals are not affected.
import type { AppContext, Domain } from '../../src/app-context.js';
import type { Database } from '../../src/db/database.js';
import { callerOf, requireHubSpotSignature } from '../../src/http/signed-request.js';
import { testDatabase } from '../helpers/db.js';
import { NO_DOMAINS, startTestRuntime, type TestRuntime } from '../helpers/runtime.js';
import { signedRequest } from '../helpers/signed.js';

const BUSY = 601;
const QUIET = 602;
let db: Database;
let a: TestRuntime;
let b: TestRuntime;

/** An extension endpoint like every /api/v1 route: behind requireHubSpotSignature. */
const probe = (ctx: AppContext): Domain => ({
  name: 'probe',
  mountRoutes(router) {
    router.get('/api/v1/probe', requireHubSpotSignature(ctx), (req, res) => void res.json(callerOf(req)));
  },
});

beforeAll(async () => {
  db = await testDatabase();
  // 60 a minute: a burst of 6, then about one a second.
  const env = { API_RATE_LIMIT_PER_MINUTE: '60' };
  a = await startTestRuntime({ db, env, domains: { ...NO_DOMAINS, extra: (ctx) => [probe(ctx)] }, work: false });
  b = await startTestRuntime({ db, env, domains: { ...NO_DOMAINS, extra: (ctx) => [probe(ctx)] }, work: false });
  await db.query(`INSERT INTO portals (id, status, installed_by_user_id) VALUES ($1, 'installed', 1), ($2, 'installed', 1)`, [BUSY, QUIET]);
});
afterAll(async () => {
  await a?.close();
  await b?.close();
  await db?.close();
});

const me = (rt: TestRuntime, portalId: number) => signedRequest(rt.app, { method: 'GET', path: '/api/v1/probe', portalId, userId: 1 });

describe('per-portal extension API rate limit', () => {
  test('rapid calls from one portal, spread over two instances, get 429 RATE_LIMITED with Retry-After once the budget is spent', async () => {
    const answers = [];
    const t0 = Date.now();
    for (let i = 0; i < 40; i++) answers.push(await me(i % 2 ? b : a, BUSY));
    const seconds = (Date.now() - t0) / 1000;
    const served = answers.filter((r) => r.status === 200).length;
    const limited = answers.filter((r) => r.status === 429);
    expect(served).toBeGreaterThanOrEqual(6);
    expect(served).toBeLessThanOrEqual(6 + Math.ceil(seconds * 0.9) + 1); // one budget for both instances
    expect(limited.length).toBe(40 - served);
    expect(limited[0]!.body.error.code).toBe('RATE_LIMITED');
    expect(limited[0]!.body.error.message).toMatch(/more than 60 requests a minute/);
    expect(Number(limited[0]!.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  });

  test('another portal is served meanwhile', async () => {
    expect((await me(a, QUIET)).status).toBe(200);
    expect((await me(b, QUIET)).status).toBe(200);
  });

  test('unsigned calls do not spend a portal’s budget', async () => {
    const before = (await db.query(`SELECT tat_ms FROM shared_limits WHERE key = 'api:${QUIET}'`)).rows[0].tat_ms;
    for (let i = 0; i < 20; i++) {
      const forged = await signedRequest(a.app, { method: 'GET', path: '/api/v1/probe', portalId: QUIET, userId: 1, secret: 'not-the-secret' });
      expect(forged.status).toBe(401);
    }
    expect((await db.query(`SELECT tat_ms FROM shared_limits WHERE key = 'api:${QUIET}'`)).rows[0].tat_ms).toBe(before);
  });
});
