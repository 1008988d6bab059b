import { COMMS, CONTACTS, TASKS, setup } from './helpers.js';

const whatsApp = (extra: Record<string, string> = {}) => ({
  hs_communication_channel_type: 'WHATS_APP',
  hs_communication_logged_from: 'CRM',
  hs_communication_body: '⬅ Customer: ¿Tienen envío a Medellín?',
  hs_timestamp: '2026-03-30T15:04:05.000Z',
  ...extra,
});

describe('HubSpot simulator: communications and tasks', () => {
  it('batch-creates WhatsApp communications associated to a contact (type 81), visible from the contact', async () => {
    const { api, portal } = setup();
    const contactId = (await api.post(CONTACTS, { properties: { firstname: 'Ana' } })).body.id;
    const ownerId = [...portal.owners.values()][0].id;
    const assoc = [{ to: { id: contactId }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 81 }] }];
    const res = await api.post(`${COMMS}/batch/create`, {
      inputs: [
        { properties: whatsApp({ hubspot_owner_id: ownerId }), associations: assoc },
        { properties: whatsApp({ hs_timestamp: String(Date.parse('2026-03-30T15:05:00Z')) }), associations: assoc },
      ],
    });
    expect(res.status).toBe(201);
    expect(res.body.results).toHaveLength(2);
    const [c1, c2] = res.body.results;
    expect(c1.id).not.toBe(contactId);
    expect(c2.properties.hs_timestamp).toBe('2026-03-30T15:05:00.000Z'); // epoch ms normalised to ISO
    expect(c1.properties.hs_communication_channel_type).toBe('WHATS_APP');

    const contact = await api.get(`${CONTACTS}/${contactId}?associations=communications`);
    expect(contact.body.associations.communications.results).toEqual([
      { id: c1.id, type: 'contact_to_communication' },
      { id: c2.id, type: 'contact_to_communication' },
    ]);
    const v4 = await api.get(`${CONTACTS}/${contactId}/associations/communications`);
    expect(v4.body.results[0]).toEqual({
      toObjectId: Number(c1.id), associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 82, label: null }],
    });
    expect(portal.contacts.get(contactId)!.associations.get('communications')!.has(c2.id)).toBe(true);
    expect(portal.communications.get(c1.id)!.associations.get('contacts')!.get(contactId))
      .toEqual([{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 81 }]);

    const got = await api.get(`${COMMS}/${c1.id}?properties=hs_communication_body&associations=contacts`);
    expect(got.body.properties.hs_communication_body).toContain('Medellín');
    expect(got.body.associations.contacts.results).toEqual([{ id: contactId, type: 'communication_to_contact' }]);
  });

  it('validates channel type, logged_from, hs_timestamp and association types', async () => {
    const { api, portal } = setup();
    const contactId = (await api.post(CONTACTS, { properties: {} })).body.id;
    const bad = async (properties: Record<string, string>, code: string, associations?: unknown) => {
      const res = await api.post(COMMS, { properties, ...(associations ? { associations } : {}) });
      expect(res.status).toBe(400);
      expect(res.body.category).toBe('VALIDATION_ERROR');
      expect(res.body.message).toContain(code);
    };
    await bad(whatsApp({ hs_communication_channel_type: 'WHATSAPP' }), 'INVALID_OPTION');
    await bad(whatsApp({ hs_communication_logged_from: 'API' }), 'INVALID_OPTION');
    const { hs_timestamp: _omit, ...noTs } = whatsApp();
    await bad(noTs, 'hs_timestamp');
    await bad(whatsApp({ hs_timestamp: 'yesterday' }), 'hs_timestamp');
    await bad(whatsApp(), 'not a valid association type', [{ to: { id: contactId }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 1 }] }]);
    await bad(whatsApp(), 'does not exist', [{ to: { id: '123456789' }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 81 }] }]);
    expect(portal.communications.size).toBe(0);
  });

  it('associates with PUT …/associations/default and lists the labels', async () => {
    const { api, portal } = setup();
    const contactId = (await api.post(CONTACTS, { properties: {} })).body.id;
    const comm = await api.post(COMMS, { properties: whatsApp() });
    expect(comm.status).toBe(201);
    const put = await api.put(`${COMMS}/${comm.body.id}/associations/default/contacts/${contactId}`);
    expect(put.status).toBe(200);
    expect(put.body.status).toBe('COMPLETE');
    expect(put.body.results[0]).toEqual({
      from: { id: comm.body.id }, to: { id: contactId }, associationSpec: { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 81 },
    });
    expect(portal.contacts.get(contactId)!.associations.get('communications')!.has(comm.body.id)).toBe(true);
    const labels = await api.get('/crm/associations/2026-03/communications/contacts/labels');
    expect(labels.body).toEqual({ results: [{ category: 'HUBSPOT_DEFINED', typeId: 81, label: null }] });
    const taskLabels = await api.get('/crm/associations/2026-03/tasks/contacts/labels');
    expect(taskLabels.body.results[0].typeId).toBe(204);
    const missing = await api.put(`${COMMS}/${comm.body.id}/associations/default/contacts/999999999`);
    expect(missing.status).toBe(404);
  });

  it('creates, updates and batch-updates tasks associated to contacts (type 204)', async () => {
    const { api, portal } = setup();
    const contactId = (await api.post(CONTACTS, { properties: {} })).body.id;
    const ownerId = [...portal.owners.values()][1].id;
    const created = await api.post(TASKS, {
      properties: {
        hs_task_subject: 'Reply on WhatsApp', hs_task_body: 'Customer waiting', hs_task_priority: 'HIGH',
        hubspot_owner_id: ownerId, hs_timestamp: '2026-04-01T13:00:00Z',
      },
      associations: [{ to: { id: contactId }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 204 }] }],
    });
    expect(created.status).toBe(201);
    expect(created.body.properties.hs_task_status).toBe('NOT_STARTED');
    const id = created.body.id;
    const done = await api.patch(`${TASKS}/${id}`, { properties: { hs_task_status: 'COMPLETED' } });
    expect(done.body.properties.hs_task_status).toBe('COMPLETED');
    const badStatus = await api.patch(`${TASKS}/${id}`, { properties: { hs_task_status: 'DONE' } });
    expect(badStatus.status).toBe(400);
    const batch = await api.post(`${TASKS}/batch/update`, { inputs: [{ id, properties: { hs_task_status: 'NOT_STARTED' } }] });
    expect(batch.status).toBe(200);
    const batchCreate = await api.post(`${TASKS}/batch/create`, { inputs: [{ properties: { hs_task_subject: 'x', hs_timestamp: '1775044800000' } }] });
    expect(batchCreate.status).toBe(201);
    const contact = await api.get(`${CONTACTS}/${contactId}?associations=tasks`);
    expect(contact.body.associations.tasks.results).toEqual([{ id, type: 'contact_to_task' }]);
    const noTs = await api.post(TASKS, { properties: { hs_task_subject: 'x' } });
    expect(noTs.status).toBe(400);
  });
});
