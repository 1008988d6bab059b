import { ManualClock } from '../../src/clock.js';
import { api, conversationOf, inbound, PN, PORTAL, seedContact, seedPortal, startHarness, type Harness } from '../conversations/helpers.js';

const T0 = new Date('2026-03-30T15:00:00.000Z'); // Monday 10:00 Bogotá

describe('settings, agents, owners and me (F12, F15, F16, F21)', () => {
  const clock = new ManualClock(T0);
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ clock });
    await seedPortal(h.db);
    h.fakes.ownerList = [
      { ownerId: '901', userId: 101, email: 'ana@acme.co', name: 'Ana Pérez' },
      { ownerId: '902', userId: 102, email: 'carlos@acme.co', name: 'Carlos Ruiz' },
      { ownerId: '903', userId: 103, email: 'lina@acme.co', name: 'Lina Gómez' },
    ];
  });
  afterAll(async () => {
    await h.close();
  });

  it('GET /settings answers the defaults', async () => {
    const r = await api(h, 'GET', '/api/v1/settings', { userId: 555 });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      consent: { version: 1, language: 'es', policyUrl: '', text: { es: expect.stringContaining('{company}'), en: expect.any(String) } },
      routing: { method: 'round_robin', perNumber: {}, lastAgentDays: 30, fallback: 'round_robin' },
      businessHours: { timeZone: 'America/Bogota', weekly: { mon: [{ from: '08:00', to: '18:00' }], sat: [], sun: [] }, holidays: [] },
      resolutionLabels: expect.arrayContaining(['Resolved']),
      autoClose: { enabled: true },
      quickReplies: [],
      optOutKeywords: expect.arrayContaining(['STOP', 'BAJA']),
      optInKeywords: expect.arrayContaining(['START', 'ALTA']),
      windowAlertMinutes: 120,
    });
  });

  it('PUT /settings: full replace, the consent version moves only when the text changes, quick replies get ids', async () => {
    const current = (await api(h, 'GET', '/api/v1/settings')).body;
    const body = {
      ...current,
      consent: { ...current.consent, policyUrl: 'https://acme.example/privacidad' },
      resolutionLabels: ['Resolved by Corporate', 'Resolved by Plus', 'Resolved by Premium'],
      quickReplies: [{ id: '', phoneNumberId: PN, title: 'Saludo', text: 'Hola, ¿en qué te ayudo?' }],
      routing: { method: 'least_open', perNumber: { [PN]: 'number_pool' } },
    };
    const r = await api(h, 'PUT', '/api/v1/settings', { body });
    expect(r.status).toBe(200);
    expect(r.body.consent.version).toBe(1);
    expect(r.body.routing).toEqual({ method: 'least_open', perNumber: { [PN]: 'number_pool' }, lastAgentDays: 30, fallback: 'round_robin' });
    const qr = r.body.quickReplies[0];
    expect(qr.id).toMatch(/^qr_/);

    const again = await api(h, 'PUT', '/api/v1/settings', {
      body: { ...r.body, consent: { ...r.body.consent, version: 99, text: { ...r.body.consent.text, es: 'Autorizas a {company} a tratar tus datos?' } } },
    });
    expect(again.body.consent.version).toBe(2);
    expect(again.body.quickReplies[0].id).toBe(qr.id);
    expect((await api(h, 'GET', '/api/v1/settings')).body.consent).toMatchObject({ version: 2, text: { es: 'Autorizas a {company} a tratar tus datos?' } });
  });

  it('PUT /settings refuses invalid input with dotted paths next to the fields', async () => {
    const current = (await api(h, 'GET', '/api/v1/settings')).body;
    const r = await api(h, 'PUT', '/api/v1/settings', {
      body: {
        ...current,
        consent: { ...current.consent, policyUrl: 'http://insecure.example' },
        routing: { method: 'round_robin', perNumber: { '555': 'round_robin' } },
        businessHours: { ...current.businessHours, timeZone: 'Mars/Olympus', weekly: { ...current.businessHours.weekly, mon: [{ from: '09:00', to: '08:00' }] }, holidays: ['2026-02-30'] },
        resolutionLabels: [],
        autoClose: { enabled: true, at: '25:00' },
        quickReplies: [{ id: '', phoneNumberId: null, title: 'x', text: '' }],
        optOutKeywords: [],
        windowAlertMinutes: 0,
      },
    });
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('VALIDATION');
    expect(r.body.error.details).toMatchObject({
      'consent.policyUrl': expect.any(String),
      'routing.perNumber.555': expect.any(String),
      'businessHours.timeZone': expect.any(String),
      'businessHours.weekly.mon.0.to': 'must be after 09:00',
      'businessHours.holidays.0': expect.any(String),
      resolutionLabels: expect.any(String),
      'autoClose.at': expect.any(String),
      'quickReplies.0.text': expect.any(String),
      optOutKeywords: expect.any(String),
      windowAlertMinutes: expect.any(String),
    });
    const shape = await api(h, 'PUT', '/api/v1/settings', { body: { ...current, businessHours: 'always' } });
    expect(shape.status).toBe(422);
    expect(shape.body.error.details).toHaveProperty('businessHours');
  });

  it('only the admin may change settings and agents', async () => {
    const current = (await api(h, 'GET', '/api/v1/settings')).body;
    expect((await api(h, 'PUT', '/api/v1/settings', { userId: 555, body: current })).status).toBe(403);
    expect((await api(h, 'PUT', '/api/v1/agents', { userId: 555, body: { agents: [] } })).status).toBe(403);
    expect((await api(h, 'GET', '/api/v1/me', { userId: 555 })).body).toEqual({ userId: 555, ownerId: null, agent: null, isAdmin: false });
  });

  it('fails closed: a portal whose installer is unknown has no admin (not every user) until it is reinstalled', async () => {
    const ORPHAN = 779;
    await h.db.query(`INSERT INTO portals (id, status, installed_by_user_id) VALUES ($1, 'installed', NULL)`, [ORPHAN]);
    const defaults = (await api(h, 'GET', '/api/v1/settings', { portalId: ORPHAN, userId: 1 })).body;
    const current = { ...defaults, consent: { ...defaults.consent, policyUrl: 'https://orphan.example/privacy' } };
    for (const userId of [1, 555]) {
      const put = await api(h, 'PUT', '/api/v1/settings', { portalId: ORPHAN, userId, body: current });
      expect(put.status).toBe(403);
      expect(put.body.error.code).toBe('FORBIDDEN');
      expect((await api(h, 'PUT', '/api/v1/agents', { portalId: ORPHAN, userId, body: { agents: [] } })).status).toBe(403);
      expect((await api(h, 'GET', '/api/v1/me', { portalId: ORPHAN, userId })).body.isAdmin).toBe(false);
    }
    // The reinstall records who installed: that user is the admin again.
    await h.db.query(`UPDATE portals SET installed_by_user_id = 1 WHERE id = $1`, [ORPHAN]);
    const back = await api(h, 'PUT', '/api/v1/settings', { portalId: ORPHAN, userId: 1, body: current });
    expect([back.status, back.body.error]).toEqual([200, undefined]);
  });

  it('owners for the picker; agents replaced as a whole; me', async () => {
    const owners = await api(h, 'GET', '/api/v1/owners');
    expect(owners.body.owners).toHaveLength(3);

    const put = await api(h, 'PUT', '/api/v1/agents', {
      body: {
        agents: [
          { ownerId: '901', userId: 101, email: 'ana@acme.co', name: 'Ana Pérez', active: true, available: true, outOfOffice: [] },
          { ownerId: '902', userId: 102, email: 'carlos@acme.co', name: 'Carlos Ruiz', active: true, available: false, outOfOffice: [{ from: '2026-04-01', to: '2026-04-03' }] },
        ],
      },
    });
    expect(put.status).toBe(200);
    expect(put.body.agents).toEqual([
      { agentId: expect.stringMatching(/^\d+$/), ownerId: '901', userId: 101, email: 'ana@acme.co', name: 'Ana Pérez', active: true, available: true, outOfOffice: [], numberIds: [] },
      expect.objectContaining({ ownerId: '902', available: false, outOfOffice: [{ from: '2026-04-01', to: '2026-04-03' }] }),
    ]);
    const me = await api(h, 'GET', '/api/v1/me', { userId: 101 });
    expect(me.body).toMatchObject({ userId: 101, ownerId: '901', agent: { ownerId: '901', name: 'Ana Pérez' }, isAdmin: false });
    const notAgent = await api(h, 'GET', '/api/v1/me', { userId: 103 });
    expect(notAgent.body).toMatchObject({ ownerId: '903', agent: null });
    expect((await api(h, 'GET', '/api/v1/agents', { userId: 103 })).body.agents).toHaveLength(2);

    const dup = await api(h, 'PUT', '/api/v1/agents', {
      body: {
        agents: [
          { ownerId: '901', userId: 101, email: '', name: 'A', active: true, available: true, outOfOffice: [{ from: '2026-04-05', to: '2026-04-01' }] },
          { ownerId: '901', userId: null, email: '', name: 'A', active: true, available: true, outOfOffice: [] },
        ],
      },
    });
    expect(dup.status).toBe(422);
    expect(dup.body.error.details).toMatchObject({ 'agents.1.ownerId': expect.any(String), 'agents.0.outOfOffice.0.to': 'must be on or after 2026-04-05' });
  });

  it('an agent left out becomes inactive and their conversations are reassigned; an agent coming back drains the queue', async () => {
    const list = (await api(h, 'GET', '/api/v1/agents')).body.agents;
    const [ana, carlos] = list;
    const c = await seedContact(h.db, { consent: 'granted' });
    await inbound(h, c, { text: 'hola' }, T0);
    expect((await conversationOf(h.db, c.id))[0]!.assignee_agent_id).toBe(Number(ana.agentId)); // Carlos is away

    // Ana leaves, Carlos is back: Ana's conversation goes to Carlos.
    const r = await api(h, 'PUT', '/api/v1/agents', { body: { agents: [{ ...carlos, available: true }] } });
    expect(r.status).toBe(200);
    expect(r.body.agents.find((a: { ownerId: string }) => a.ownerId === '901')).toMatchObject({ active: false });
    expect((await conversationOf(h.db, c.id))[0]!.assignee_agent_id).toBe(Number(carlos.agentId));

    // Nobody available: a new conversation waits; Ana back and available: it is hers at once.
    await api(h, 'PUT', '/api/v1/agents', { body: { agents: [{ ...carlos, available: false }] } });
    const d = await seedContact(h.db, { consent: 'granted' });
    await inbound(h, d, { text: 'hola' }, T0);
    expect((await conversationOf(h.db, d.id))[0]!.assignee_agent_id).toBeNull();
    await api(h, 'PUT', '/api/v1/agents', { body: { agents: [{ ...carlos, available: false }, { ...ana, active: true, available: true }] } });
    expect((await conversationOf(h.db, d.id))[0]!.assignee_agent_id).toBe(Number(ana.agentId));
    expect(h.fakes.tasks.at(-1)).toMatchObject({ kind: 'assigned', ownerId: '901' });
  });

  it('rejects unsigned calls', async () => {
    const { default: request } = await import('supertest');
    expect((await request(h.rt.app).get(`/api/v1/settings?portalId=${PORTAL}&userId=1`)).status).toBe(401);
  });
});
