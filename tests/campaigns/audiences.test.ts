/**
 * Campaign audiences from a HubSpot list (issue 14): the 2026-03 Lists API against the HubSpot
 * simulator — memberships in pages of 250, the contacts' phones in batch reads of 100, values from
 * contact properties, members without a usable phone kept as skipped, 404 and missing scope.
 */
import { consented, PNID, PROMO, sendsPerPhone, startEnv, waitFor, waOf, phoneOf, type Env } from './helpers.js';

let env: Env;
let token: string;
const MEMBERS = 260; // two membership pages (250 + 10), three batch reads (100 + 100 + 60)

beforeAll(async () => {
  env = await startEnv({ hubspot: true, mps: 200 });
  token = env.hubspot!.sim.issueTokens({ portalId: env.portalId }).access_token;
}, 180_000);
afterAll(async () => {
  await env?.close();
});

/** Contacts created in HubSpot (not known to the app), as a CRM user would have them. */
async function hubspotContacts(inputs: Array<Record<string, string>>): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < inputs.length; i += 100) {
    const res = await fetch(`${env.hubspot!.url}/crm/objects/2026-03/contacts/batch/create`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ inputs: inputs.slice(i, i + 100).map((properties) => ({ properties })) }),
    });
    expect(res.status).toBe(201);
    ids.push(...((await res.json()) as { results: Array<{ id: string }> }).results.map((r) => r.id));
  }
  return ids;
}

const audience = (body: Record<string, unknown>) =>
  env.api('POST', '/api/v1/campaigns/audiences', { body: { source: 'hubspot_list', phoneNumberId: PNID, templateName: PROMO.name, language: PROMO.language, ...body } });
const ready = (id: number) =>
  waitFor(async () => {
    const a = (await env.api('GET', `/api/v1/campaigns/audiences/${id}`)).body.audience;
    return a.status !== 'loading' && a;
  }, 60_000, 'audience read');

describe('a HubSpot list as the audience', () => {
  let ids: string[];
  let listId: string;
  const idx = Array.from({ length: MEMBERS }, (_, i) => 500 + i);

  beforeAll(async () => {
    ids = await hubspotContacts(<Array<Record<string, string>>>[
      // national mobile numbers (read in the sending number's country, Colombia) and +E.164 office phones
      ...idx.map((i, n) => (n % 2 ? { firstname: `Ana${i}`, mobilephone: phoneOf(i) } : { firstname: `Ana${i}`, phone: `+${waOf(i)}` })),
      { firstname: 'Sin' }, // no phone
      { firstname: 'Mal', phone: '12' }, // not a phone
      { firstname: 'Dup', mobilephone: phoneOf(500) }, // the same person twice
      { mobilephone: phoneOf(900) }, // no first name: an empty value
    ]);
    await consented(env.rt.db, env.portalId, [...idx.filter((i) => i !== 501), 900]);
    listId = env.hubspot!.sim.createList(env.portalId, { name: 'Clientes VIP julio', recordIds: ids }).listId;
  });

  it('finds the portal contact lists by name for the picker', async () => {
    const r = await env.api('GET', '/api/v1/hubspot-lists', { query: { q: 'vip' } });
    expect(r.status).toBe(200);
    expect(r.body.lists).toEqual([{ listId, name: 'Clientes VIP julio', size: MEMBERS + 4, processingType: 'MANUAL' }]);
  });

  it('reads memberships in pages and phones in batches, values from contact properties, and sends each member once', async () => {
    env.hubspot!.sim.resetCounters();
    const r = await audience({ listId, parameters: ['{{firstname}}', 'JUL10'] });
    expect(r.status).toBe(202);
    expect(r.body.audience).toMatchObject({ source: 'hubspot_list', status: 'loading', listId });
    const a = await ready(r.body.audience.id);
    expect(a).toMatchObject({ status: 'ready', listName: 'Clientes VIP julio', total: MEMBERS + 4, excluded: { NO_PHONE: 1, INVALID_PHONE: 1, INVALID_VALUES: 1 } });
    const calls = env.hubspot!.sim.counters.byKind;
    expect(calls['lists.get']).toBe(1);
    expect(calls['lists.memberships']).toBe(2);
    expect(calls['contacts.batch.read']).toBe(3);

    const created = await env.api('POST', '/api/v1/campaigns', { body: { name: 'VIP', phoneNumberId: PNID, templateName: PROMO.name, language: PROMO.language, audienceId: a.id } });
    expect(created.status).toBe(201);
    const id = created.body.campaign.id;
    // 260 members − 501 (no consent) are sent; 4 extra rows and 501 are skipped.
    expect(created.body.campaign.counts).toMatchObject({ total: MEMBERS + 4, skipped: 5 });
    await waitFor(async () => (await env.api('GET', `/api/v1/campaigns/${id}`)).body.campaign.status === 'completed', 60_000, 'completed');
    const per = sendsPerPhone(env.sim);
    expect(idx.filter((i) => i !== 501).every((i) => per.get(waOf(i)) === 1)).toBe(true);
    expect(per.has(waOf(501))).toBe(false);
    const toAna = [...env.sim.state.messages.values()].find((m) => m.waId === waOf(502) && m.template?.name === PROMO.name)!;
    expect(toAna.text).toContain('Hola Ana502, tu código JUL10');

    const skipped = (await env.api('GET', `/api/v1/campaigns/${id}/recipients`, { query: { status: 'skipped' } })).body.recipients;
    const by = (reason: string) => skipped.filter((x: any) => x.reason === reason);
    expect(by('NO_PHONE')).toEqual([expect.objectContaining({ phone: null, contactId: ids[MEMBERS] })]);
    expect(by('INVALID_PHONE')).toEqual([expect.objectContaining({ contactId: ids[MEMBERS + 1] })]);
    expect(by('DUPLICATE')).toEqual([expect.objectContaining({ phone: `+${waOf(500)}` })]);
    expect(by('INVALID_VALUES')).toEqual([expect.objectContaining({ phone: `+${waOf(900)}` })]);
    expect(by('NO_CONSENT').map((x: any) => x.phone)).toEqual([`+${waOf(501)}`]);
    // Each member's local contact is linked to its HubSpot contact: no search to find it again.
    const sent = (await env.api('GET', `/api/v1/campaigns/${id}/recipients`, { query: { limit: 3 } })).body.recipients;
    expect(sent.map((x: any) => x.contactId)).toEqual(ids.slice(0, 3));

    const again = await env.api('POST', '/api/v1/campaigns', { body: { name: 'VIP 2', phoneNumberId: PNID, templateName: PROMO.name, language: PROMO.language, audienceId: a.id } });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('AUDIENCE_USED');
  });

  it('refuses values that do not fit the template before calling HubSpot', async () => {
    env.hubspot!.sim.resetCounters();
    const r = await audience({ listId, parameters: ['{{firstname}}'] });
    expect(r.status).toBe(422);
    expect(r.body.error.details).toHaveProperty('parameters');
    const spaces = await audience({ listId, parameters: ['{{firstname}}', 'a     b'] });
    expect(spaces.status).toBe(422);
    expect(spaces.body.error.details).toHaveProperty(['parameters.1']);
    // (the timeline may still be logging the last campaign: only list reads count here)
    expect(Object.keys(env.hubspot!.sim.counters.byKind).filter((k) => k.startsWith('lists.'))).toEqual([]);
  });

  it('an unknown list: the audience fails with LIST_NOT_FOUND and no campaign can use it', async () => {
    const a = await ready((await audience({ listId: '987654', parameters: ['x', 'y'] })).body.audience.id);
    expect(a).toMatchObject({ status: 'failed', error: { code: 'LIST_NOT_FOUND' } });
    const c = await env.api('POST', '/api/v1/campaigns', { body: { name: 'X', phoneNumberId: PNID, templateName: PROMO.name, language: PROMO.language, audienceId: a.id } });
    expect(c.status).toBe(409);
    expect(c.body.error.code).toBe('AUDIENCE_NOT_READY');
  });

  it('a portal installed without the lists scope is told to reinstall', async () => {
    const portal = env.hubspot!.sim.portals.get(env.portalId)!;
    const saved = [...portal.tokens.access.values()].map((t): [typeof t, string[]] => [t, [...t.scopes]]);
    for (const [t] of saved) t.scopes = t.scopes.filter((s) => s !== 'crm.lists.read');
    try {
      const a = await ready((await audience({ listId, parameters: ['x', 'y'] })).body.audience.id);
      expect(a).toMatchObject({ status: 'failed', error: { code: 'HUBSPOT_SCOPE_MISSING' } });
      expect(a.error.message).toContain('crm.lists.read');
      const search = await env.api('GET', '/api/v1/hubspot-lists', { query: { q: 'vip' } });
      expect(search.status).toBe(409);
      expect(search.body.error.code).toBe('HUBSPOT_SCOPE_MISSING');
    } finally {
      for (const [t, scopes] of saved) t.scopes = scopes;
    }
  });
});
