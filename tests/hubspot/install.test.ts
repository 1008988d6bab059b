import request from 'supertest';
import { ManualClock } from '../../src/clock.js';
import { loadAppManifest } from '../../src/hubspot/manifest.js';
import { CONTACT_PROPERTIES } from '../../src/hubspot/index.js';
import type { TestRuntime } from '../helpers/runtime.js';
import { install, newPortal, startApp, startSimulator, type SimHandle } from './helpers.js';

let h: SimHandle;
let rt: TestRuntime;
const clock = new ManualClock(Date.now());

beforeAll(async () => {
  h = await startSimulator();
  rt = await startApp(h.url, { clock });
});
afterAll(async () => {
  await rt?.close();
  await h?.close();
});

describe('OAuth install', () => {
  test('install end to end: scopes from app-hsmeta.json, tokens stored encrypted, properties created, next steps shown', async () => {
    const portal = newPortal(h.sim);
    const { authorize, back, callback } = await install(rt, h, portal, 902);

    const manifest = loadAppManifest();
    expect(authorize.origin).toBe(h.url);
    expect(authorize.pathname).toBe('/oauth/authorize');
    expect(authorize.searchParams.get('client_id')).toBe(rt.config.hubspot.clientId);
    expect(authorize.searchParams.get('redirect_uri')).toBe('https://app.example.test/oauth/callback');
    expect(authorize.searchParams.get('scope')!.split(' ')).toEqual(manifest.requiredScopes);
    expect(authorize.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(back.searchParams.get('state')).toBe(authorize.searchParams.get('state'));

    expect(callback.status).toBe(302);
    expect(callback.headers.location).toBe(`/oauth/installed?portalId=${portal.portalId}`);

    const row = (await rt.db.query('SELECT * FROM portals WHERE id = $1', [portal.portalId])).rows[0];
    expect(row.status).toBe('installed');
    expect(row.domain).toBe(portal.domain);
    expect(Number(row.installed_by_user_id)).toBe(902);
    expect(row.scopes).toEqual(expect.arrayContaining(manifest.requiredScopes));
    const [access] = [...portal.tokens.access.keys()];
    const [refresh] = [...portal.tokens.refresh.keys()];
    expect(row.access_token_enc).not.toContain(access!.slice(0, 20));
    expect(rt.ctx.secrets.decrypt(row.access_token_enc)).toBe(access);
    expect(rt.ctx.secrets.decrypt(row.refresh_token_enc)).toBe(refresh);
    expect(row.access_token_expires_at.getTime()).toBeGreaterThan(clock.now().getTime() + 29 * 60_000);

    // Contact properties and their group, created once.
    expect(portal.groups.get('whatsapp')).toBeTruthy();
    for (const name of Object.values(CONTACT_PROPERTIES)) expect(portal.properties.get(name)?.groupName).toBe('whatsapp');
    expect(portal.properties.get(CONTACT_PROPERTIES.consent)!.options.map((o) => o.value)).toEqual(['granted', 'declined', 'unknown']);
    expect((await rt.db.query('SELECT properties_ready FROM hubspot_portal_state WHERE portal_id = $1', [portal.portalId])).rows[0].properties_ready).toBe(true);

    const page = await request(rt.app).get(callback.headers.location!);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Customize record');
    expect(page.text).toContain('Card library');
    expect(page.text).toContain('Settings');
  });

  test('a replayed, unknown or expired state is refused', async () => {
    const portal = newPortal(h.sim);
    const { back, callback } = await install(rt, h, portal);
    expect(callback.status).toBe(302);
    const replay = await request(rt.app).get(back.pathname + back.search);
    expect(replay.status).toBe(400);
    expect(replay.text).toContain('expired or was already used');

    const forged = await request(rt.app).get(`/oauth/callback?code=abc&state=${'x'.repeat(43)}`);
    expect(forged.status).toBe(400);

    // A state older than 10 minutes.
    const start = await request(rt.app).get('/oauth/install');
    const state = new URL(start.headers.location!).searchParams.get('state')!;
    clock.advance(11 * 60_000);
    const late = await request(rt.app).get(`/oauth/callback?code=whatever&state=${encodeURIComponent(state)}`);
    expect(late.status).toBe(400);
    clock.set(Date.now());
  });

  test('cancelled in HubSpot: nothing installed', async () => {
    const res = await request(rt.app).get('/oauth/callback?error=access_denied&error_description=denied&state=x');
    expect(res.status).toBe(400);
    expect(res.text).toContain('cancelled');
  });

  test('a reinstall updates the same portal (and reopens an uninstalled one)', async () => {
    const portal = newPortal(h.sim);
    await install(rt, h, portal);
    const first = (await rt.db.query('SELECT access_token_enc FROM portals WHERE id = $1', [portal.portalId])).rows[0];
    await rt.db.query(`UPDATE portals SET status = 'uninstalled', access_token_enc = NULL, refresh_token_enc = NULL WHERE id = $1`, [portal.portalId]);
    const again = await install(rt, h, portal);
    expect(again.callback.status).toBe(302);
    const rows = (await rt.db.query('SELECT * FROM portals WHERE id = $1', [portal.portalId])).rows;
    expect(rows).toHaveLength(1);
    expect(rows[0].status).toBe('installed');
    expect(rows[0].uninstalled_at).toBeNull();
    expect(rows[0].access_token_enc).not.toBe(first.access_token_enc);
    // Properties already existed: the second install creates nothing new and still succeeds.
    expect([...portal.properties.values()].filter((p) => p.groupName === 'whatsapp')).toHaveLength(Object.values(CONTACT_PROPERTIES).length);
  });
});
