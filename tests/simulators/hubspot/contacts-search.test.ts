import { CONTACTS, setup } from './helpers.js';

type Api = ReturnType<typeof setup>['api'];

async function create(api: Api, properties: Record<string, string>) {
  const res = await api.post(CONTACTS, { properties });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

async function search(api: Api, body: object) {
  return api.post(`${CONTACTS}/search`, body);
}

// these tests are about semantics, not throttling (rate-limit.test.ts covers the 5/s search limit)
const NO_THROTTLE = { rateLimit: { perTenSeconds: 100_000, searchPerSecond: 100_000 } };

const ids = (res: { body: { results: Array<{ id: string }> } }) => res.body.results.map((r) => r.id).sort();

describe('HubSpot simulator: contact search', () => {
  it('ORs filterGroups, ANDs filters inside a group, and supports IN / NOT_IN / NEQ / HAS_PROPERTY', async () => {
    const { api } = setup(NO_THROTTLE);
    const a = await create(api, { firstname: 'Ana', lastname: 'Gómez', email: 'ana@x.com', lifecyclestage: 'lead' });
    const b = await create(api, { firstname: 'Ana', lastname: 'Pérez', email: 'anap@y.com', lifecyclestage: 'customer' });
    const c = await create(api, { firstname: 'Luis', lastname: 'Pérez' });

    const and = await search(api, { filterGroups: [{ filters: [
      { propertyName: 'firstname', operator: 'EQ', value: 'ana' }, // EQ is case-insensitive
      { propertyName: 'lastname', operator: 'EQ', value: 'Pérez' },
    ] }] });
    expect(and.status).toBe(200);
    expect(ids(and)).toEqual([b]);
    expect(and.body.total).toBe(1);

    const or = await search(api, { filterGroups: [
      { filters: [{ propertyName: 'email', operator: 'EQ', value: 'ana@x.com' }] },
      { filters: [{ propertyName: 'firstname', operator: 'EQ', value: 'Luis' }] },
    ] });
    expect(ids(or)).toEqual([a, c].sort());

    const inOp = await search(api, { filterGroups: [{ filters: [{ propertyName: 'lastname', operator: 'IN', values: ['gómez', 'pérez'] }] }] });
    expect(ids(inOp)).toEqual([a, b, c].sort());
    // IN on string properties matches the lower-cased index: upper-case values find nothing
    const inUpper = await search(api, { filterGroups: [{ filters: [{ propertyName: 'lastname', operator: 'IN', values: ['Pérez'] }] }] });
    expect(inUpper.body.total).toBe(0);
    const notIn = await search(api, { filterGroups: [{ filters: [{ propertyName: 'lifecyclestage', operator: 'NOT_IN', values: ['lead'] }] }] });
    expect(ids(notIn)).toEqual([b, c].sort());
    const neq = await search(api, { filterGroups: [{ filters: [{ propertyName: 'lifecyclestage', operator: 'NEQ', value: 'customer' }] }] });
    expect(ids(neq)).toEqual([a, c].sort());
    const has = await search(api, { filterGroups: [{ filters: [{ propertyName: 'email', operator: 'HAS_PROPERTY' }] }] });
    expect(ids(has)).toEqual([a, b].sort());
    const hasNot = await search(api, { filterGroups: [{ filters: [{ propertyName: 'email', operator: 'NOT_HAS_PROPERTY' }] }] });
    expect(ids(hasNot)).toEqual([c]);
    const token = await search(api, { filterGroups: [{ filters: [{ propertyName: 'email', operator: 'CONTAINS_TOKEN', value: '*@y.com' }] }] });
    expect(ids(token)).toEqual([b]);
    const gt = await search(api, { filterGroups: [{ filters: [{ propertyName: 'hs_object_id', operator: 'GT', value: a }] }] });
    expect(ids(gt)).toEqual([b, c].sort());
  });

  it('derives hs_searchable_calculated_* phone properties as the national number', async () => {
    const { api, portal } = setup(NO_THROTTLE);
    const e164 = await create(api, { phone: '+573001234567' });
    const national = await create(api, { mobilephone: '300 123 4567' });
    const formatted = await create(api, { phone: '+57 (300) 123-4567' });
    await create(api, { phone: '+573009999999' });
    expect(portal.contacts.get(e164)!.properties.hs_searchable_calculated_phone_number).toBe('3001234567');
    expect(portal.contacts.get(national)!.properties.hs_searchable_calculated_mobile_number).toBe('3001234567');

    // the app's strategy: phone EQ e164 OR mobilephone EQ e164 OR calculated EQ national number
    const res = await search(api, {
      filterGroups: [
        { filters: [{ propertyName: 'phone', operator: 'EQ', value: '+573001234567' }] },
        { filters: [{ propertyName: 'mobilephone', operator: 'EQ', value: '+573001234567' }] },
        { filters: [{ propertyName: 'hs_searchable_calculated_phone_number', operator: 'EQ', value: '3001234567' }] },
        { filters: [{ propertyName: 'hs_searchable_calculated_mobile_number', operator: 'EQ', value: '3001234567' }] },
      ],
      properties: ['phone', 'mobilephone'],
    });
    expect(ids(res)).toEqual([e164, national, formatted].sort());
    // EQ on the raw phone property does not normalise formats
    const raw = await search(api, { filterGroups: [{ filters: [{ propertyName: 'phone', operator: 'EQ', value: '+573001234567' }] }] });
    expect(ids(raw)).toEqual([e164]);
    // with the country code in the calculated property: no match (HubSpot says leave it out)
    const withCc = await search(api, { filterGroups: [{ filters: [{ propertyName: 'hs_searchable_calculated_phone_number', operator: 'EQ', value: '573001234567' }] }] });
    expect(withCc.body.total).toBe(0);
    // calculated properties are read-only
    const write = await api.patch(`${CONTACTS}/${e164}`, { properties: { hs_searchable_calculated_phone_number: '1' } });
    expect(write.status).toBe(400);
    expect(write.body.message).toContain('READ_ONLY_VALUE');
  });

  it('returns the requested properties, defaults otherwise, and pages with after', async () => {
    const { api } = setup(NO_THROTTLE);
    for (let i = 0; i < 25; i++) await create(api, { firstname: `P${String(i).padStart(2, '0')}`, phone: `+5730000000${String(i).padStart(2, '0')}` });
    const first = await search(api, { filterGroups: [], limit: 10, sorts: [{ propertyName: 'firstname', direction: 'DESCENDING' }] });
    expect(first.body.total).toBe(25);
    expect(first.body.results).toHaveLength(10);
    expect(first.body.results[0].properties.firstname).toBe('P24');
    expect(Object.keys(first.body.results[0].properties).sort())
      .toEqual(['createdate', 'email', 'firstname', 'hs_object_id', 'lastmodifieddate', 'lastname']);
    expect(first.body.paging.next.after).toBe('10');
    const last = await search(api, { limit: 10, after: '20', properties: ['phone'], sorts: ['firstname'] });
    expect(last.body.results).toHaveLength(5);
    expect(last.body.paging).toBeUndefined();
    expect(last.body.results[0].properties).toEqual(expect.objectContaining({ phone: '+573000000020', hs_object_id: expect.any(String) }));
    expect(last.body.results[0].properties.firstname).toBeUndefined();
    expect(last.body.results[0]).toEqual(expect.objectContaining({ archived: false, createdAt: expect.any(String), updatedAt: expect.any(String) }));
  });

  it('has indexing lag: a just-created contact is not found, and archived ones disappear', async () => {
    const { api, clock } = setup({ ...NO_THROTTLE, searchIndexLagMs: 2000 });
    const body = { filterGroups: [{ filters: [{ propertyName: 'firstname', operator: 'EQ', value: 'Nueva' }] }] };
    const id = await create(api, { firstname: 'Nueva' });
    expect((await search(api, body)).body.total).toBe(0);
    clock.advance(1999);
    expect((await search(api, body)).body.total).toBe(0);
    clock.advance(1);
    expect(ids(await search(api, body))).toEqual([id]);
    // an update is also seen late: the old value stays searchable for a moment
    await api.patch(`${CONTACTS}/${id}`, { properties: { firstname: 'Renamed' } });
    expect(ids(await search(api, body))).toEqual([id]);
    clock.advance(2000);
    expect((await search(api, body)).body.total).toBe(0);
    // GET by id has no lag
    expect((await api.get(`${CONTACTS}/${id}?properties=firstname`)).body.properties.firstname).toBe('Renamed');
    expect((await api.delete(`${CONTACTS}/${id}`)).status).toBe(204);
    clock.advance(2000);
    const renamed = { filterGroups: [{ filters: [{ propertyName: 'firstname', operator: 'EQ', value: 'Renamed' }] }] };
    expect((await search(api, renamed)).body.total).toBe(0);
  });

  it('enforces HubSpot search limits with 400 VALIDATION_ERROR', async () => {
    const { api } = setup(NO_THROTTLE);
    const f = { propertyName: 'firstname', operator: 'EQ', value: 'x' };
    const expect400 = async (body: object) => {
      const res = await search(api, body);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ status: 'error', category: 'VALIDATION_ERROR' });
      expect(res.body.correlationId).toBeTruthy();
    };
    await expect400({ filterGroups: Array.from({ length: 6 }, () => ({ filters: [f] })) });
    await expect400({ filterGroups: [{ filters: Array.from({ length: 7 }, () => f) }] });
    await expect400({ filterGroups: Array.from({ length: 4 }, () => ({ filters: Array.from({ length: 5 }, () => f) })) }); // 20 > 18
    await expect400({ limit: 201 });
    await expect400({ after: '9950', limit: 100 });
    await expect400({ filterGroups: [{ filters: [{ propertyName: 'firstname', operator: 'LIKE', value: 'x' }] }] });
    await expect400({ filterGroups: [{ filters: [{ propertyName: 'firstname', operator: 'IN', value: 'x' }] }] });
    await expect400({ filterGroups: [{ filters: [{ propertyName: 'no_such_prop', operator: 'EQ', value: 'x' }] }] });
    const ok = await search(api, { filterGroups: Array.from({ length: 5 }, () => ({ filters: [f, f, f] })), limit: 200 });
    expect(ok.status).toBe(200);
  });
});
