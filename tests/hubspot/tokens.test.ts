import { ManualClock } from '../../src/clock.js';
import { PortalNotConnectedError } from '../../src/hubspot/index.js';
import { testDatabase } from '../helpers/db.js';
import type { TestRuntime } from '../helpers/runtime.js';
import type { Database } from '../../src/db/database.js';
import { inbound, install, internals, newPortal, startApp, startSimulator, type SimHandle } from './helpers.js';

let h: SimHandle;
let db: Database;
let a: TestRuntime;
let b: TestRuntime;
const clock = new ManualClock(Date.now());

beforeAll(async () => {
  h = await startSimulator();
  db = await testDatabase();
  a = await startApp(h.url, { db, clock });
  b = await startApp(h.url, { db, clock });
});
afterAll(async () => {
  await a?.close();
  await b?.close();
  await db?.close();
  await h?.close();
});
beforeEach(() => clock.set(Date.now()));

describe('access tokens', () => {
  test('refreshed ahead of expiry once, with 20 concurrent callers on two instances', async () => {
    const portal = newPortal(h.sim);
    await install(a, h, portal);
    const before = h.sim.counters.byKind['oauth.token'] ?? 0;
    const old = await internals(a).core.tokens.accessToken(portal.portalId);
    expect(h.sim.counters.byKind['oauth.token'] ?? 0).toBe(before); // fresh: no refresh

    clock.advance(26 * 60_000); // 4 minutes before expiry: inside the 5-minute margin
    const tokens = await Promise.all(
      Array.from({ length: 20 }, (_, i) => internals(i % 2 ? a : b).core.tokens.accessToken(portal.portalId)),
    );
    expect(h.sim.counters.byKind['oauth.token']! - before).toBe(1);
    expect(new Set(tokens).size).toBe(1);
    expect(tokens[0]).not.toBe(old);
    const row = (await db.query('SELECT access_token_expires_at, token_refreshing_until FROM portals WHERE id = $1', [portal.portalId])).rows[0];
    expect(row.token_refreshing_until).toBeNull();
    expect(row.access_token_expires_at.getTime()).toBeGreaterThan(clock.now().getTime() + 29 * 60_000);
    // And the new token works.
    expect(await internals(b).core.client(portal.portalId).listOwners()).toHaveLength(2);
  });

  test('a 401 (token revoked early) gets one refresh and the call succeeds', async () => {
    const portal = newPortal(h.sim);
    await install(a, h, portal);
    for (const t of portal.tokens.access.values()) t.revoked = true;
    const before = h.sim.counters.byKind['oauth.token'] ?? 0;
    const owners = await internals(a).core.client(portal.portalId).listOwners();
    expect(owners.map((o) => o.email)).toContain('rep@shop.example.com');
    expect(h.sim.counters.byKind['oauth.token']! - before).toBe(1);
  });

  test('invalid_grant marks the portal uninstalled, deletes its tokens, and nothing more is sent', async () => {
    const portal = newPortal(h.sim);
    await install(a, h, portal);
    h.sim.uninstall(portal.portalId); // the customer removed the app in HubSpot
    clock.advance(31 * 60_000);
    await expect(internals(a).core.tokens.accessToken(portal.portalId)).rejects.toBeInstanceOf(PortalNotConnectedError);
    const row = (await db.query('SELECT * FROM portals WHERE id = $1', [portal.portalId])).rows[0];
    expect(row.status).toBe('uninstalled');
    expect(row.uninstalled_at).not.toBeNull();
    expect(row.access_token_enc).toBeNull();
    expect(row.refresh_token_enc).toBeNull();

    const calls = h.sim.counters.total;
    const { messageId } = await inbound(a, { portalId: portal.portalId, waId: '573005550001' });
    await internals(a).timeline.drainer.run(portal.portalId);
    await expect(internals(b).core.tokens.accessToken(portal.portalId)).rejects.toBeInstanceOf(PortalNotConnectedError);
    expect(h.sim.counters.total).toBe(calls);
    const m = (await db.query('SELECT hubspot_communication_id FROM messages WHERE id = $1', [messageId])).rows[0];
    expect(m.hubspot_communication_id).toBeNull(); // waits for a reinstall
  });
});
