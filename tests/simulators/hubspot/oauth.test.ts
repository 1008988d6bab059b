import request from 'supertest';
import { createHubSpotSimulator } from '../../../simulators/hubspot/index.js';
import { CLIENT_ID, CLIENT_SECRET, clock } from './helpers.js';

const REDIRECT = 'https://app.example.com/oauth/callback';
const SCOPE = 'oauth crm.objects.contacts.read crm.objects.contacts.write crm.objects.owners.read';

function make() {
  const c = clock();
  const sim = createHubSpotSimulator({
    clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUris: [REDIRECT], now: c.now,
    requiredScopes: ['oauth', 'crm.objects.contacts.read'],
  });
  const portal = sim.createPortal({
    portalId: 777, domain: 'shop.example.com',
    users: [
      { userId: 11, email: 'owner@shop.example.com', firstName: 'O', lastName: 'W' },
      { userId: 12, email: 'agent@shop.example.com', firstName: 'A', lastName: 'G' },
    ],
  });
  return { sim, portal, c };
}

function authorizeUrl(params: Record<string, string>) {
  return '/oauth/authorize?' + new URLSearchParams(params).toString();
}

/** Loads the install page, submits its form like a browser and returns the redirect Location. */
async function approve(app: Parameters<typeof request>[0], params: Record<string, string>, decision = 'approve') {
  const pageRes = await request(app).get(authorizeUrl(params));
  expect(pageRes.status).toBe(200);
  expect(pageRes.type).toBe('text/html');
  expect(pageRes.text).toContain('Connect app');
  const action = /<form method="post" action="([^"]+)"/.exec(pageRes.text)![1];
  const fields: Record<string, string> = {};
  for (const m of pageRes.text.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    fields[m[1]] = m[2].replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');
  }
  const res = await request(app).post(action).type('form').send({ ...fields, decision });
  expect(res.status).toBe(302);
  return new URL(res.headers.location);
}

const tokenReq = (app: Parameters<typeof request>[0], form: Record<string, string>) =>
  request(app).post('/oauth/2026-03/token').type('form').send(form);

describe('HubSpot simulator: OAuth', () => {
  it('runs the full flow: authorize → approve → code → token → introspect → refresh → revoke → invalid_grant', async () => {
    const { sim, portal } = make();
    sim.approveInstall({ portalId: 777, userId: 12 });
    const loc = await approve(sim.app, { client_id: CLIENT_ID, redirect_uri: REDIRECT, scope: SCOPE, state: 's t&ate' });
    expect(loc.origin + loc.pathname).toBe(REDIRECT);
    expect(loc.searchParams.get('state')).toBe('s t&ate');
    const code = loc.searchParams.get('code')!;
    expect(code).toBeTruthy();
    expect(portal.installed).toBe(true);
    expect(portal.installingUserId).toBe(12);

    const tok = await tokenReq(sim.app, {
      grant_type: 'authorization_code', client_id: CLIENT_ID, client_secret: CLIENT_SECRET, redirect_uri: REDIRECT, code,
    });
    expect(tok.status).toBe(200);
    expect(tok.body).toMatchObject({ token_type: 'bearer', expires_in: 1800, hub_id: 777, user_id: 12 });
    expect(tok.body.scopes).toEqual(SCOPE.split(' '));
    expect(tok.body.access_token.length).toBeGreaterThan(255);
    const { access_token, refresh_token } = tok.body;

    const intro = await request(sim.app).post('/oauth/2026-03/token/introspect').type('form')
      .send({ client_id: CLIENT_ID, client_secret: CLIENT_SECRET, token: access_token, token_type_hint: 'access_token' });
    expect(intro.body).toMatchObject({
      active: true, hub_id: 777, hub_domain: 'shop.example.com', user: 'agent@shop.example.com', user_id: 12,
      token_use: 'access_token', expires_in: 1800,
      signed_access_token: { hubId: 777, userId: 12, installingUserId: 12, appId: sim.options.appId },
    });
    const introRefresh = await request(sim.app).post('/oauth/2026-03/token/introspect').type('form')
      .send({ client_id: CLIENT_ID, client_secret: CLIENT_SECRET, token: refresh_token, token_type_hint: 'refresh_token' });
    expect(introRefresh.body).toMatchObject({ active: true, token_use: 'refresh_token', hub_id: 777 });

    const owners = await request(sim.app).get('/crm/owners/2026-03').set('Authorization', `Bearer ${access_token}`);
    expect(owners.status).toBe(200);

    const refreshed = await tokenReq(sim.app, {
      grant_type: 'refresh_token', client_id: CLIENT_ID, client_secret: CLIENT_SECRET, refresh_token,
    });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.access_token).not.toBe(access_token);
    expect(refreshed.body.hub_id).toBe(777);

    const revoked = await request(sim.app).post('/oauth/2026-03/token/revoke').type('form')
      .send({ client_id: CLIENT_ID, client_secret: CLIENT_SECRET, token: refresh_token, token_type_hint: 'refresh_token' });
    expect(revoked.status).toBe(200);

    const again = await tokenReq(sim.app, {
      grant_type: 'refresh_token', client_id: CLIENT_ID, client_secret: CLIENT_SECRET, refresh_token,
    });
    expect(again.status).toBe(400);
    expect(again.body).toMatchObject({ error: 'invalid_grant', status: 'BAD_REFRESH_TOKEN' });
    expect(typeof again.body.error_description).toBe('string');
    expect(typeof again.body.message).toBe('string');
    expect(sim.counters.byKind['oauth.token']).toBe(3);
  });

  it('refuses a reused, expired or mismatched code', async () => {
    const { sim, c } = make();
    const params = { client_id: CLIENT_ID, redirect_uri: REDIRECT, scope: SCOPE };
    const code = (await approve(sim.app, params)).searchParams.get('code')!;
    const form = { grant_type: 'authorization_code', client_id: CLIENT_ID, client_secret: CLIENT_SECRET, redirect_uri: REDIRECT, code };
    expect((await tokenReq(sim.app, form)).status).toBe(200);
    const reuse = await tokenReq(sim.app, form);
    expect(reuse.status).toBe(400);
    expect(reuse.body).toMatchObject({ error: 'invalid_grant', status: 'BAD_AUTH_CODE' });

    const code2 = (await approve(sim.app, params)).searchParams.get('code')!;
    const mismatch = await tokenReq(sim.app, { ...form, code: code2, redirect_uri: 'https://evil.example.com/cb' });
    expect(mismatch.body).toMatchObject({ error: 'invalid_grant', status: 'BAD_REDIRECT_URI' });

    const code3 = (await approve(sim.app, params)).searchParams.get('code')!;
    c.advance(10 * 60_000);
    const expired = await tokenReq(sim.app, { ...form, code: code3 });
    expect(expired.body).toMatchObject({ error: 'invalid_grant', status: 'BAD_AUTH_CODE' });

    const badSecret = await tokenReq(sim.app, { ...form, client_secret: 'nope' });
    expect(badSecret.body).toMatchObject({ error: 'invalid_client' });
    const json = await request(sim.app).post('/oauth/2026-03/token').send(form); // JSON, not form-encoded
    expect(json.status).toBe(400);
  });

  it('validates client_id, redirect_uri and required scopes on the authorize page', async () => {
    const { sim } = make();
    const bad = async (p: Record<string, string>) => {
      const res = await request(sim.app).get(authorizeUrl(p));
      expect(res.status).toBe(400);
      expect(res.text).not.toContain('Connect app');
      return res.text;
    };
    expect(await bad({ client_id: 'other', redirect_uri: REDIRECT, scope: SCOPE })).toContain('client_id');
    expect(await bad({ client_id: CLIENT_ID, redirect_uri: 'https://evil.example.com/cb', scope: SCOPE })).toContain('redirect_uri');
    expect(await bad({ client_id: CLIENT_ID, redirect_uri: REDIRECT, scope: 'oauth' })).toContain('mismatch');
  });

  it('redirects with access_denied when the user cancels', async () => {
    const { sim } = make();
    const loc = await approve(sim.app, { client_id: CLIENT_ID, redirect_uri: REDIRECT, scope: SCOPE, state: 'x' }, 'deny');
    expect(loc.searchParams.get('error')).toBe('access_denied');
    expect(loc.searchParams.get('state')).toBe('x');
    expect(loc.searchParams.get('code')).toBeNull();
  });

  it('answers 401 for missing, unknown and expired tokens', async () => {
    const { sim, c } = make();
    const { access_token } = sim.issueTokens({ portalId: 777 });
    const missing = await request(sim.app).get('/crm/owners/2026-03');
    expect(missing.status).toBe(401);
    expect(missing.body).toMatchObject({ status: 'error', category: 'INVALID_AUTHENTICATION' });
    expect(missing.body.message).toMatch(/^Authentication credentials not found/);
    expect(missing.body.correlationId).toMatch(/^[0-9a-f-]{36}$/);
    const unknown = await request(sim.app).get('/crm/owners/2026-03').set('Authorization', 'Bearer nope');
    expect(unknown.body.category).toBe('INVALID_AUTHENTICATION');
    c.advance(1800 * 1000 + 3 * 60_000);
    const expired = await request(sim.app).get('/crm/owners/2026-03').set('Authorization', `Bearer ${access_token}`);
    expect(expired.status).toBe(401);
    expect(expired.body).toMatchObject({ status: 'error', category: 'EXPIRED_AUTHENTICATION' });
    expect(expired.body.message).toContain('expired 3 minute(s) ago');
    const intro = await request(sim.app).post('/oauth/2026-03/token/introspect').type('form')
      .send({ client_id: CLIENT_ID, client_secret: CLIENT_SECRET, token: access_token });
    expect(intro.body).toEqual({ active: false });
  });

  it('uninstall (DELETE external-install) kills every token; revokeRefreshToken breaks refresh', async () => {
    const { sim, portal } = make();
    const t = sim.issueTokens({ portalId: 777 });
    const del = await request(sim.app).delete('/appinstalls/2026-03/external-install').set('Authorization', `Bearer ${t.access_token}`);
    expect(del.status).toBe(204);
    expect(portal.installed).toBe(false);
    expect((await request(sim.app).get('/crm/owners/2026-03').set('Authorization', `Bearer ${t.access_token}`)).status).toBe(401);
    const refresh = await tokenReq(sim.app, {
      grant_type: 'refresh_token', client_id: CLIENT_ID, client_secret: CLIENT_SECRET, refresh_token: t.refresh_token,
    });
    expect(refresh.body.error).toBe('invalid_grant');

    const t2 = sim.issueTokens({ portalId: 777 });
    sim.revokeRefreshToken(777);
    const r2 = await tokenReq(sim.app, {
      grant_type: 'refresh_token', client_id: CLIENT_ID, client_secret: CLIENT_SECRET, refresh_token: t2.refresh_token,
    });
    expect(r2.status).toBe(400);
    expect(r2.body.status).toBe('BAD_REFRESH_TOKEN');
  });

  it('refuses calls outside the granted scopes with MISSING_SCOPES', async () => {
    const { sim } = make();
    const { access_token } = sim.issueTokens({ portalId: 777, scopes: ['oauth', 'crm.objects.contacts.read'] });
    const res = await request(sim.app).post('/crm/objects/2026-03/contacts').set('Authorization', `Bearer ${access_token}`)
      .send({ properties: { firstname: 'x' } });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ category: 'MISSING_SCOPES' });
    expect(res.body.errors[0].context.requiredGranularScopes).toEqual(['crm.objects.contacts.write']);
  });
});
