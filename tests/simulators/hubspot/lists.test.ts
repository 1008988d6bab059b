import request from 'supertest';
import { CONTACTS, setup } from './helpers.js';

const LISTS = '/crm/lists/2026-03';
const NO_THROTTLE = { rateLimit: { perTenSeconds: 100_000, searchPerSecond: 100_000 } };

async function contacts(api: ReturnType<typeof setup>['api'], n: number): Promise<string[]> {
  const res = await api.post(`${CONTACTS}/batch/create`, { inputs: Array.from({ length: n }, (_, i) => ({ properties: { firstname: `C${i}` } })) });
  expect(res.status).toBe(201);
  return res.body.results.map((r: { id: string }) => r.id);
}

describe('HubSpot simulator: lists (2026-03)', () => {
  it('pages memberships in record id order with an opaque cursor, up to 250 a page', async () => {
    const { sim, portal, api } = setup(NO_THROTTLE);
    const ids = await contacts(api, 60);
    const list = sim.createList(portal.portalId, { name: 'Clientes VIP', recordIds: [...ids].reverse() });

    const got: string[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const res = await api.get(`${LISTS}/${list.listId}/memberships?limit=25${after ? `&after=${after}` : ''}`);
      expect(res.status).toBe(200);
      expect(res.body.total).toBe(60);
      got.push(...res.body.results.map((m: { recordId: string; membershipTimestamp: string }) => m.recordId));
      expect(res.body.results[0].membershipTimestamp).toMatch(/^\d{4}-\d\d-\d\dT/);
      after = res.body.paging?.next?.after;
      if (after) expect(after).not.toMatch(/^\d+$/); // not a record id
      pages++;
    } while (after);
    expect(pages).toBe(3);
    expect(got).toEqual([...ids].sort((a, b) => Number(a) - Number(b)));

    expect((await api.get(`${LISTS}/${list.listId}/memberships?limit=251`)).status).toBe(400);
    expect((await api.get(`${LISTS}/${list.listId}/memberships?after=nonsense`)).status).toBe(400);
    const all = await api.get(`${LISTS}/${list.listId}/memberships?limit=250`);
    expect(all.body.results).toHaveLength(60);
    expect(all.body.paging).toBeUndefined();
  });

  it('reads a list with its size, drops archived members, and answers 404 for an unknown list', async () => {
    const { sim, portal, api } = setup(NO_THROTTLE);
    const ids = await contacts(api, 3);
    const list = sim.createList(portal.portalId, { name: 'Promo', recordIds: ids });
    expect((await api.delete(`${CONTACTS}/${ids[1]}`)).status).toBe(204);
    const res = await api.get(`${LISTS}/${list.listId}`);
    expect(res.status).toBe(200);
    expect(res.body.list).toMatchObject({ listId: list.listId, name: 'Promo', objectTypeId: '0-1', processingType: 'MANUAL', size: 2 });
    const members = await api.get(`${LISTS}/${list.listId}/memberships`);
    expect(members.body.results.map((m: { recordId: string }) => m.recordId)).toEqual([ids[0], ids[2]]);

    const missing = await api.get(`${LISTS}/999999`);
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ status: 'error', category: 'OBJECT_NOT_FOUND' });
    expect((await api.get(`${LISTS}/999999/memberships`)).status).toBe(404);
  });

  it('searches lists by name and object type, with offset paging and the size as a property', async () => {
    const { sim, portal, api } = setup(NO_THROTTLE);
    sim.createList(portal.portalId, { name: 'Clientes Bogotá', recordIds: ['1', '2'] });
    sim.createList(portal.portalId, { name: 'Clientes Medellín', recordIds: ['3'] });
    sim.createList(portal.portalId, { name: 'Empresas', recordIds: [], objectTypeId: '0-2' });
    const res = await api.post(`${LISTS}/search`, { query: 'clientes', objectTypeId: '0-1', count: 1, offset: 0 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ total: 2, hasMore: true, offset: 1 });
    expect(res.body.lists[0].additionalProperties.hs_list_size).toMatch(/^\d+$/);
    const next = await api.post(`${LISTS}/search`, { query: 'clientes', objectTypeId: '0-1', count: 1, offset: res.body.offset });
    expect(next.body).toMatchObject({ total: 2, hasMore: false });
    expect(new Set([res.body.lists[0].name, next.body.lists[0].name])).toEqual(new Set(['Clientes Bogotá', 'Clientes Medellín']));
  });

  it('needs the crm.lists.read scope', async () => {
    const { sim, portal } = setup(NO_THROTTLE);
    const list = sim.createList(portal.portalId, { name: 'X', recordIds: [] });
    const token = sim.issueTokens({ portalId: portal.portalId, scopes: ['oauth', 'crm.objects.contacts.read'] }).access_token;
    const res = await request(sim.app).get(`${LISTS}/${list.listId}/memberships`).set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(403);
    expect(res.body.category).toBe('MISSING_SCOPES');
    expect(res.body.errors[0].context.requiredGranularScopes).toContain('crm.lists.read');
  });
});
