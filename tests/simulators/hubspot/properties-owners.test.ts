import { CONTACTS, setup } from './helpers.js';

const PROPS = '/crm/properties/2026-03/contacts';

const consent = {
  name: 'wa_consent_status', label: 'WhatsApp consent', type: 'enumeration', fieldType: 'select', groupName: 'whatsapp',
  options: [{ label: 'Opted in', value: 'opted_in' }, { label: 'Opted out', value: 'opted_out' }, { label: 'Unknown', value: 'unknown' }],
};

describe('HubSpot simulator: properties and owners', () => {
  it('creates a group and properties; 409 on duplicates; values then validate against the definition', async () => {
    const { api, portal } = setup();
    const noGroup = await api.post(PROPS, consent);
    expect(noGroup.status).toBe(400);

    const group = await api.post(`${PROPS}/groups`, { name: 'whatsapp', label: 'WhatsApp', displayOrder: 1 });
    expect(group.status).toBe(201);
    expect(group.body).toEqual({ name: 'whatsapp', label: 'WhatsApp', displayOrder: 1, archived: false });
    const dupGroup = await api.post(`${PROPS}/groups`, { name: 'whatsapp', label: 'WhatsApp' });
    expect(dupGroup.status).toBe(409);
    expect((await api.get(`${PROPS}/groups`)).body.results.map((g: { name: string }) => g.name)).toContain('whatsapp');

    const created = await api.post(PROPS, consent);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: 'wa_consent_status', type: 'enumeration', fieldType: 'select', groupName: 'whatsapp', hasUniqueValue: false,
      dataSensitivity: 'non_sensitive', archived: false,
    });
    expect(portal.properties.get('wa_consent_status')).toBeDefined();
    const dup = await api.post(PROPS, consent);
    expect(dup.status).toBe(409);
    expect(dup.body).toMatchObject({ status: 'error', category: 'OBJECT_ALREADY_EXISTS' });
    expect(dup.body.message).toContain('wa_consent_status');

    const batch = await api.post(`${PROPS}/batch/create`, { inputs: [
      { name: 'wa_phone_e164', label: 'WhatsApp phone', type: 'string', fieldType: 'text', groupName: 'whatsapp', hasUniqueValue: true },
      { name: 'wa_marketing_opt_out', label: 'Opted out of marketing', type: 'bool', fieldType: 'booleancheckbox', groupName: 'whatsapp' },
      { name: 'wa_last_inbound_at', label: 'Last inbound', type: 'datetime', fieldType: 'date', groupName: 'whatsapp' },
    ] });
    expect(batch.status).toBe(201);
    expect(batch.body.results).toHaveLength(3);
    const again = await api.post(`${PROPS}/batch/create`, { inputs: [consent] });
    expect(again.status).toBe(207);
    expect(again.body.errors[0].category).toBe('OBJECT_ALREADY_EXISTS');

    const got = await api.get(`${PROPS}/wa_marketing_opt_out`);
    expect(got.body.options.map((o: { value: string }) => o.value)).toEqual(['true', 'false']);
    expect((await api.get(`${PROPS}/nope`)).status).toBe(404);
    expect((await api.post(PROPS, { ...consent, name: 'wa_x', type: 'string' })).status).toBe(400); // select is not a string fieldType
    expect((await api.post(PROPS, { ...consent, name: 'wa_y', dataSensitivity: 'sensitive' })).status).toBe(403);

    const contact = await api.post(CONTACTS, { properties: {
      wa_consent_status: 'opted_in', wa_phone_e164: '+573001234567', wa_marketing_opt_out: true, wa_last_inbound_at: 1775044800000,
    } });
    expect(contact.status).toBe(201);
    expect(contact.body.properties).toMatchObject({
      wa_consent_status: 'opted_in', wa_marketing_opt_out: 'true', wa_last_inbound_at: '2026-04-01T12:00:00.000Z',
    });
    const badOption = await api.patch(`${CONTACTS}/${contact.body.id}`, { properties: { wa_consent_status: 'granted' } });
    expect(badOption.status).toBe(400);
    const uniqueClash = await api.post(CONTACTS, { properties: { wa_phone_e164: '+573001234567' } });
    expect(uniqueClash.status).toBe(409);
    const byUnique = await api.get(`${CONTACTS}/${encodeURIComponent('+573001234567')}?idProperty=wa_phone_e164`);
    expect(byUnique.body.id).toBe(contact.body.id);
  });

  it('lists owners (owner id ≠ user id), filters by email, gets by id or userId', async () => {
    const { api } = setup();
    const list = await api.get('/crm/owners/2026-03');
    expect(list.status).toBe(200);
    expect(list.body.results).toHaveLength(2);
    const ana = list.body.results[0];
    expect(ana).toMatchObject({
      id: expect.stringMatching(/^\d+$/), userId: 1001, email: 'ana@acme.example.com', firstName: 'Ana', lastName: 'Ruiz',
      type: 'PERSON', teams: [], archived: false,
    });
    expect(ana.id).not.toBe(String(ana.userId));
    const byEmail = await api.get('/crm/owners/2026-03?email=BO@acme.example.com');
    expect(byEmail.body.results.map((o: { userId: number }) => o.userId)).toEqual([1002]);
    const paged = await api.get('/crm/owners/2026-03?limit=1');
    expect(paged.body.results).toHaveLength(1);
    const page2 = await api.get(`/crm/owners/2026-03?limit=1&after=${paged.body.paging.next.after}`);
    expect(page2.body.results[0].userId).toBe(1002);
    expect((await api.get(`/crm/owners/2026-03/${ana.id}`)).body.email).toBe('ana@acme.example.com');
    expect((await api.get('/crm/owners/2026-03/1001?idProperty=userId')).body.id).toBe(ana.id);
    const missing = await api.get('/crm/owners/2026-03/1001');
    expect(missing.status).toBe(404);
    expect(missing.body.category).toBe('OBJECT_NOT_FOUND');
  });
});
