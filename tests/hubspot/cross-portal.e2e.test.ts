/**
 * Issue 17 item 3, end to end: a rep of portal B edits the URL of a `hubspot.fetch` call to name
 * portal A (the audit read and wrote A's settings, threads, owners and numbers this way, 7 of 7).
 * The calls go through the HubSpot simulator's proxy, which appends HubSpot's own portalId and
 * userId after the extension's, as HubSpot does; every route of the extension API is tried, reading
 * and writing, and A's data is compared before and after.
 */
import { PNID, PROMO, startStack, type Stack } from '../helpers/full-stack.js';
import { waitFor } from './helpers.js';

let s: Stack;
let base = '';
let a = 0;
let aAdmin = 0;
let b = 0;
let bRep = 0;
let hsContact = '';
let conversationId = '';

beforeAll(async () => {
  s = await startStack();
  // The proxy signs the URL it calls (the app's loopback address), like `hs project dev`.
  base = s.url;
  s.rt.config.hubspot.signedBaseUrls.push(base);
  a = s.portal.portalId;
  aAdmin = s.portal.users[0]!.userId;
  const other = await s.installPortal();
  await s.configure(other.portalId);
  b = other.portalId;
  bRep = other.users[0]!.userId;
  const { contactId } = await s.consentedCustomer('573001112233', 'Ana Ruiz', 'Hola, ¿me ayudan?');
  hsContact = String(await waitFor(async () => (await s.row('SELECT hubspot_contact_id FROM contacts WHERE id = $1', [contactId]))?.hubspot_contact_id, 'HubSpot contact'));
  conversationId = String((await s.row('SELECT id FROM conversations WHERE contact_id = $1 ORDER BY id DESC LIMIT 1', [contactId])).id);
});
afterAll(async () => {
  await s?.close();
});

/** Everything of portal A a forged call could read or change. */
async function portalA(): Promise<unknown> {
  const q = async (sql: string) => (await s.rt.db.query(sql, [a])).rows;
  return {
    settings: await q('SELECT settings FROM portal_settings WHERE portal_id = $1'),
    agents: await q('SELECT * FROM agents WHERE portal_id = $1 ORDER BY id'),
    numbers: await q('SELECT phone_number_id, label, portal_id FROM whatsapp_numbers WHERE portal_id = $1 ORDER BY phone_number_id'),
    messages: await q('SELECT id, direction, status, text FROM messages WHERE portal_id = $1 ORDER BY id'),
    conversations: await q('SELECT id, status, assignee_agent_id FROM conversations WHERE portal_id = $1 ORDER BY id'),
    campaigns: await q('SELECT id, status FROM campaigns WHERE portal_id = $1 ORDER BY id'),
    templates: await q(`SELECT name, language, status FROM message_templates WHERE waba_id IN (SELECT waba_id FROM whatsapp_numbers WHERE portal_id = $1) ORDER BY name, language`),
  };
}

/** Every route of the extension API, with A's ids where it names one, and a body a rep could send. */
const routes = (): Array<[string, string, Record<string, unknown> | undefined]> => [
  ['GET', '/api/v1/me', undefined],
  ['GET', '/api/v1/settings', undefined],
  ['PUT', '/api/v1/settings', { consent: { policyUrl: 'https://evil.example/' } }],
  ['GET', '/api/v1/owners', undefined],
  ['GET', '/api/v1/agents', undefined],
  ['PUT', '/api/v1/agents', { agents: [] }],
  ['GET', '/api/v1/whatsapp-numbers', undefined],
  ['POST', '/api/v1/whatsapp-numbers', { phoneNumberId: PNID, wabaId: 'x', accessToken: 'EAAforged-0123456789-abcdefghij', label: 'Mine' }],
  ['PATCH', `/api/v1/whatsapp-numbers/${PNID}`, { label: 'Taken over' }],
  ['GET', `/api/v1/contacts/${hsContact}/conversation`, undefined],
  ['POST', `/api/v1/contacts/${hsContact}/messages`, { text: 'Soy del portal B' }],
  ['POST', `/api/v1/contacts/${hsContact}/template-messages`, { phoneNumberId: PNID, templateName: PROMO.name, language: PROMO.language, parameters: ['Ana', 'X'] }],
  ['POST', `/api/v1/contacts/${hsContact}/upload-links`, {}],
  ['POST', `/api/v1/conversations/${conversationId}/assign`, { agentId: '1' }],
  ['POST', `/api/v1/conversations/${conversationId}/transfer`, { agentId: '1' }],
  ['POST', `/api/v1/conversations/${conversationId}/resolve`, { label: 'Resolved' }],
  ['GET', '/api/v1/templates?status=all', undefined],
  ['POST', '/api/v1/templates', { name: 'forged', language: 'es', category: 'UTILITY', components: [{ type: 'BODY', text: 'Hola, esto es una prueba.' }] }],
  ['DELETE', `/api/v1/templates/${PROMO.name}`, undefined],
  ['POST', '/api/v1/templates/sync', {}],
  ['POST', '/api/v1/templates/sample-links', {}],
  ['GET', '/api/v1/campaigns', undefined],
  ['GET', '/api/v1/campaigns/1', undefined],
  ['GET', '/api/v1/campaigns/1/recipients', undefined],
  ['GET', '/api/v1/campaigns/1/results.csv', undefined],
  ['POST', '/api/v1/campaigns', { name: 'x', phoneNumberId: PNID, templateName: PROMO.name, language: PROMO.language, recipients: [{ phone: '+573001112233', parameters: ['a', 'b'] }], optInAttested: true }],
  ['POST', '/api/v1/campaigns/audiences', {}],
  ['GET', '/api/v1/campaigns/audiences/1', undefined],
  ['GET', '/api/v1/hubspot-lists', undefined],
  ['GET', '/api/v1/usage', undefined],
  ['GET', '/api/v1/reports/conversations', undefined],
  ['POST', '/api/v1/reports/exports', {}],
];

/** `hubspot.fetch` as a rep of B: the extension's own query (edited), then HubSpot's ids appended by the proxy. */
const asB = (method: string, path: string, query: string, body?: Record<string, unknown>) =>
  s.hubspot.sim.proxyFetch({
    url: `${base}${path}${path.includes('?') ? '&' : '?'}${query}`,
    method,
    body: method === 'GET' || method === 'DELETE' ? undefined : { ...body, idempotencyKey: `k-${Math.random().toString(36).slice(2)}` },
    portalId: b,
    userId: bRep,
  });

describe('a rep of portal B who edits the URL to name portal A', () => {
  it('is refused on every route of the extension API, reading or writing, and A is unchanged', async () => {
    // Settled first: Meta's status webhooks for the setup's messages (sent → delivered) are A's own news.
    await s.meta.idle();
    await s.rt.idle();
    const before = await portalA();
    const sendsBefore = s.meta.requests.length;
    const answered: string[] = [];
    for (const [method, path, body] of routes()) {
      // Portal A named (with A's admin, or the rep's own user id), or another user of the rep's portal.
      for (const query of [`portalId=${a}&userId=${aAdmin}`, `portalId=${a}&userId=${bRep}`, `portalId=${b}&userId=${bRep + 1}`]) {
        const r = await asB(method, path, query, body);
        if (r.status !== 401 || r.body?.error?.code !== 'UNAUTHORIZED') answered.push(`${method} ${path} (${query}): ${r.status} ${JSON.stringify(r.body).slice(0, 120)}`);
      }
    }
    expect(answered).toEqual([]);
    await s.meta.idle();
    await s.rt.idle();
    expect(await portalA()).toEqual(before);
    expect(s.meta.requests.slice(sendsBefore).filter((r) => r.method !== 'GET')).toEqual([]);
  });

  it('without the edit, the same rep gets portal B’s own data, never A’s', async () => {
    const settings = await asB('GET', '/api/v1/settings', `portalId=${b}&userId=${bRep}`);
    expect(settings.status).toBe(200);
    const numbers = await asB('GET', '/api/v1/whatsapp-numbers', `portalId=${b}&userId=${bRep}`);
    expect(numbers.status).toBe(200);
    expect(JSON.stringify(numbers.body)).not.toContain(PNID);
    const thread = await asB('GET', `/api/v1/contacts/${hsContact}/conversation`, `portalId=${b}&userId=${bRep}`);
    expect(JSON.stringify(thread.body)).not.toContain('me ayudan');
  });
});
