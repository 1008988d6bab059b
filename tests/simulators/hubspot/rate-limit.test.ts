import request from 'supertest';
import { CONTACTS, setup } from './helpers.js';

const SEARCH = { filterGroups: [{ filters: [{ propertyName: 'firstname', operator: 'HAS_PROPERTY' }] }] };

describe('HubSpot simulator: rate limits (per portal)', () => {
  it('answers 429 TEN_SECONDLY_ROLLING after 110 calls in a rolling 10 s, with headers and counters', async () => {
    const { sim, api, clock } = setup();
    const first = await api.get('/crm/owners/2026-03');
    expect(first.headers['x-hubspot-ratelimit-interval-milliseconds']).toBe('10000');
    expect(first.headers['x-hubspot-ratelimit-max']).toBe('110');
    expect(first.headers['x-hubspot-ratelimit-remaining']).toBe('109');
    clock.advance(5000);
    for (let i = 1; i < 110; i++) {
      const res = await api.get(`${CONTACTS}?limit=1`);
      expect(res.status).toBe(200);
    }
    const limited = await api.get(`${CONTACTS}?limit=1`);
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({
      status: 'error',
      message: 'You have reached your ten_secondly_rolling limit.',
      errorType: 'RATE_LIMIT',
      correlationId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      policyName: 'TEN_SECONDLY_ROLLING',
      requestId: expect.any(String),
    });
    expect(limited.headers['x-hubspot-ratelimit-remaining']).toBe('0');
    expect(sim.counters.rateLimited).toBe(1);
    expect(sim.counters.byKind['contacts.list']).toBe(110);
    expect(sim.counters.byKind['owners.list']).toBe(1);
    expect(sim.counters.total).toBe(111);

    // search has its own limiter: still allowed while the ten-secondly budget is exhausted
    expect((await api.post(`${CONTACTS}/search`, SEARCH)).status).toBe(200);

    // rolling window: the first call (t=0) leaves the window at t=10 s; the rest at t=15 s
    clock.advance(5000);
    expect((await api.get(`${CONTACTS}?limit=1`)).status).toBe(200);
    expect((await api.get(`${CONTACTS}?limit=1`)).status).toBe(429);
    clock.advance(5000);
    const ok = await api.get(`${CONTACTS}?limit=1`);
    expect(ok.status).toBe(200);
    expect(ok.headers['x-hubspot-ratelimit-remaining']).toBe('108');
  });

  it('limits search to 5 per second separately, without rate-limit headers', async () => {
    const { sim, api, clock } = setup();
    for (let i = 0; i < 5; i++) {
      const res = await api.post(`${CONTACTS}/search`, SEARCH);
      expect(res.status).toBe(200);
      expect(res.headers['x-hubspot-ratelimit-max']).toBeUndefined();
    }
    const limited = await api.post(`${CONTACTS}/search`, SEARCH);
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({
      status: 'error', message: 'You have reached your secondly limit.', errorType: 'RATE_LIMIT', policyName: 'SECONDLY',
    });
    // ordinary calls are unaffected, and searches did not use their budget
    const normal = await api.get('/crm/owners/2026-03');
    expect(normal.status).toBe(200);
    expect(normal.headers['x-hubspot-ratelimit-remaining']).toBe('109');
    clock.advance(1000);
    expect((await api.post(`${CONTACTS}/search`, SEARCH)).status).toBe(200);
    expect(sim.counters.byKind['contacts.search']).toBe(7);
    expect(sim.counters.rateLimited).toBe(1);
  });

  it('keeps separate budgets per portal', async () => {
    const { sim, api } = setup({ rateLimit: { perTenSeconds: 3, searchPerSecond: 1 } });
    const other = sim.createPortal();
    const otherToken = sim.issueTokens({ portalId: other.portalId }).access_token;
    for (let i = 0; i < 3; i++) expect((await api.get('/crm/owners/2026-03')).status).toBe(200);
    expect((await api.get('/crm/owners/2026-03')).status).toBe(429);
    const res = await request(sim.app).get('/crm/owners/2026-03').set('Authorization', `Bearer ${otherToken}`);
    expect(res.status).toBe(200);
    expect(res.headers['x-hubspot-ratelimit-max']).toBe('3');
  });
});
