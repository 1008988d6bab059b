import { CONTACTS, setup } from './helpers.js';

describe('HubSpot simulator: contacts CRUD and batch', () => {
  it('creates, reads, updates and archives a contact with numeric string ids', async () => {
    const { api, portal } = setup();
    const created = await api.post(CONTACTS, { properties: { firstname: 'Ana', email: 'Ana@Example.com', phone: '+573001234567' } });
    expect(created.status).toBe(201);
    expect(created.body.id).toMatch(/^\d+$/);
    expect(created.body).toMatchObject({ archived: false, properties: { email: 'ana@example.com', hs_object_id: created.body.id } });
    expect(created.body.createdAt).toBe('2026-04-01T12:00:00.000Z');
    const id = created.body.id;
    expect(portal.contacts.get(id)!.properties.firstname).toBe('Ana');

    const got = await api.get(`${CONTACTS}/${id}?properties=phone,firstname&properties=unknown_prop`);
    expect(got.status).toBe(200);
    expect(got.body.properties).toEqual({
      createdate: '2026-04-01T12:00:00.000Z', firstname: 'Ana', hs_object_id: id,
      lastmodifieddate: '2026-04-01T12:00:00.000Z', phone: '+573001234567',
    });
    const byEmail = await api.get(`${CONTACTS}/ana@example.com?idProperty=email`);
    expect(byEmail.body.id).toBe(id);

    const patched = await api.patch(`${CONTACTS}/${id}`, { properties: { lastname: 'Ruiz', firstname: '' } });
    expect(patched.status).toBe(200);
    expect(patched.body.properties.lastname).toBe('Ruiz');
    expect(patched.body.properties.firstname).toBeUndefined();

    const empty = await api.patch(`${CONTACTS}/${id}`, { properties: {} });
    expect(empty.status).toBe(400);
    expect(empty.body.message).toBe('No properties found to update, please provide at least one.');

    expect((await api.delete(`${CONTACTS}/${id}`)).status).toBe(204);
    const gone = await api.get(`${CONTACTS}/${id}`);
    expect(gone.status).toBe(404);
    expect(gone.body).toMatchObject({ status: 'error', category: 'OBJECT_NOT_FOUND' });
    const archived = await api.get(`${CONTACTS}/${id}?archived=true`);
    expect(archived.body).toMatchObject({ id, archived: true });
  });

  it('rejects undefined properties with PROPERTY_DOESNT_EXIST and bad values per type', async () => {
    const { api, portal } = setup();
    const res = await api.post(CONTACTS, { properties: { firstname: 'A', wa_consent_status: 'opted_in' } });
    expect(res.status).toBe(400);
    expect(res.body.category).toBe('VALIDATION_ERROR');
    expect(res.body.message).toMatch(/^Property values were not valid: \[/);
    const details = JSON.parse(res.body.message.replace('Property values were not valid: ', ''));
    expect(details[0]).toMatchObject({
      isValid: false, error: 'PROPERTY_DOESNT_EXIST', name: 'wa_consent_status', message: 'Property "wa_consent_status" does not exist',
    });
    expect(res.body.errors[0]).toMatchObject({ code: 'PROPERTY_DOESNT_EXIST', context: { propertyName: ['wa_consent_status'] } });
    expect(portal.contacts.size).toBe(0);

    const badOption = await api.post(CONTACTS, { properties: { lifecyclestage: 'nope' } });
    expect(badOption.body.message).toContain('INVALID_OPTION');
    // hubspot_owner_id takes an OWNER id, not a user id
    const userId = await api.post(CONTACTS, { properties: { hubspot_owner_id: '1001' } });
    expect(userId.status).toBe(400);
    const ownerId = [...portal.owners.values()][0].id;
    const ok = await api.post(CONTACTS, { properties: { hubspot_owner_id: ownerId } });
    expect(ok.status).toBe(201);
    const email = await api.post(CONTACTS, { properties: { email: 'not-an-email' } });
    expect(email.body.message).toContain('INVALID_EMAIL');
  });

  it('keeps email unique with 409 CONFLICT', async () => {
    const { api } = setup();
    const first = await api.post(CONTACTS, { properties: { email: 'dup@example.com' } });
    const second = await api.post(CONTACTS, { properties: { email: 'DUP@example.com' } });
    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({ category: 'CONFLICT', message: `Contact already exists. Existing ID: ${first.body.id}` });
  });

  it('batch create / read / update with the 100-input limit', async () => {
    const { api, portal } = setup();
    const inputs = Array.from({ length: 100 }, (_, i) => ({ properties: { firstname: `N${i}` } }));
    const created = await api.post(`${CONTACTS}/batch/create`, { inputs });
    expect(created.status).toBe(201);
    expect(created.body.status).toBe('COMPLETE');
    expect(created.body.results).toHaveLength(100);
    expect(portal.contacts.size).toBe(100);

    const tooMany = await api.post(`${CONTACTS}/batch/create`, { inputs: [...inputs, { properties: {} }] });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.category).toBe('VALIDATION_ERROR');
    expect(portal.contacts.size).toBe(100);
    for (const path of ['batch/read', 'batch/update', 'batch/archive']) {
      const res = await api.post(`${CONTACTS}/${path}`, { inputs: Array.from({ length: 101 }, (_, i) => ({ id: String(i), properties: { firstname: 'x' } })) });
      expect(res.status).toBe(400);
    }

    // one bad input fails the whole batch create
    const partial = await api.post(`${CONTACTS}/batch/create`, { inputs: [{ properties: { firstname: 'ok' } }, { properties: { nope: 'x' } }] });
    expect(partial.status).toBe(400);
    expect(portal.contacts.size).toBe(100);

    const someIds = created.body.results.slice(0, 3).map((r: { id: string }) => r.id);
    const read = await api.post(`${CONTACTS}/batch/read`, { inputs: [...someIds, '999999999'].map((id) => ({ id })), properties: ['firstname'] });
    expect(read.status).toBe(207);
    expect(read.body.results).toHaveLength(3);
    expect(read.body.numErrors).toBe(1);
    expect(read.body.errors[0]).toMatchObject({ category: 'OBJECT_NOT_FOUND', context: { ids: ['999999999'] } });

    const upd = await api.post(`${CONTACTS}/batch/update`, { inputs: someIds.map((id: string) => ({ id, properties: { lastname: 'Batch' } })) });
    expect(upd.status).toBe(200);
    expect(portal.contacts.get(someIds[0])!.properties.lastname).toBe('Batch');
    const dup = await api.post(`${CONTACTS}/batch/update`, { inputs: [{ id: someIds[0], properties: { lastname: 'a' } }, { id: someIds[0], properties: { lastname: 'b' } }] });
    expect(dup.status).toBe(400);
    expect(dup.body.message).toContain('Duplicate IDs');
  });

  it('answers malformed JSON and old semver paths with HubSpot-shaped errors', async () => {
    const { api } = setup();
    const bad = await api.post(CONTACTS).set('Content-Type', 'application/json').send('{"properties": {');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ status: 'error', category: 'VALIDATION_ERROR' });
    const v3 = await api.post('/crm/v3/objects/contacts', { properties: {} });
    expect(v3.status).toBe(404);
    expect(v3.body.status).toBe('error');
  });

  it('lists contacts with paging', async () => {
    const { api } = setup();
    for (let i = 0; i < 3; i++) await api.post(CONTACTS, { properties: { firstname: `L${i}` } });
    const page1 = await api.get(`${CONTACTS}?limit=2&properties=firstname`);
    expect(page1.body.results.map((r: { properties: { firstname: string } }) => r.properties.firstname)).toEqual(['L0', 'L1']);
    const page2 = await api.get(`${CONTACTS}?limit=2&after=${page1.body.paging.next.after}&properties=firstname`);
    expect(page2.body.results.map((r: { properties: { firstname: string } }) => r.properties.firstname)).toEqual(['L2']);
    expect(page2.body.paging).toBeUndefined();
  });
});
